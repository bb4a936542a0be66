import { area } from "./area";

export const membersMessages = area({
  en: {},
  "pt-BR": {},
  es: {},
});
