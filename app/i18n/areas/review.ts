import { area } from "./area";

export const reviewMessages = area({
  en: {},
  "pt-BR": {},
  es: {},
});
