import { area } from "./area";

export const reportMessages = area({
  en: {},
  "pt-BR": {},
  es: {},
});
