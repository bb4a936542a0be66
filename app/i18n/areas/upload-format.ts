import { area } from "./area";

export const uploadFormatMessages = area({
  en: {},
  "pt-BR": {},
  es: {},
});
