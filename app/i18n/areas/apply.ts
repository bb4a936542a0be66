import { area } from "./area";

export const applyMessages = area({
  en: {},
  "pt-BR": {},
  es: {},
});
