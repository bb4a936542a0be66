import { area } from "./area";

/** The Nuvemshop install / sign-in pages (app/routes/nuvemshop.*.tsx): shown before the admin opens. */
export const nuvemshopMessages = area({
  en: {
    "nuvemshop.refused.title": "Carryover could not open your Nuvemshop store",
    "nuvemshop.refused.state": "This sign-in link was already used, has expired or was started in another browser. Start again from your Nuvemshop admin.",
    "nuvemshop.refused.code": "Nuvemshop did not accept this authorization. Start again from your Nuvemshop admin.",
    "nuvemshop.refused.scopes": "Carryover needs access to your customers and orders. Authorize it again and accept every permission it asks for.",
    "nuvemshop.refused.store": "Nuvemshop answered for another store. Start again from your Nuvemshop admin.",
    "nuvemshop.unavailable": "Nuvemshop could not be reached just now. Nothing was lost: try again in a moment.",
    "nuvemshop.details": "Details: {detail}",
    "nuvemshop.startAgain": "Start again",
  },
  "pt-BR": {
    "nuvemshop.refused.title": "O Carryover não conseguiu abrir sua loja Nuvemshop",
    "nuvemshop.refused.state": "Este link de acesso já foi usado, expirou ou foi aberto em outro navegador. Comece de novo pelo painel da Nuvemshop.",
    "nuvemshop.refused.code": "A Nuvemshop não aceitou esta autorização. Comece de novo pelo painel da Nuvemshop.",
    "nuvemshop.refused.scopes": "O Carryover precisa de acesso aos seus clientes e pedidos. Autorize de novo e aceite todas as permissões pedidas.",
    "nuvemshop.refused.store": "A Nuvemshop respondeu por outra loja. Comece de novo pelo painel da Nuvemshop.",
    "nuvemshop.unavailable": "Não foi possível falar com a Nuvemshop agora. Nada se perdeu: tente de novo em instantes.",
    "nuvemshop.details": "Detalhes: {detail}",
    "nuvemshop.startAgain": "Começar de novo",
  },
  es: {
    "nuvemshop.refused.title": "Carryover no pudo abrir tu tienda Tiendanube",
    "nuvemshop.refused.state": "Este enlace de acceso ya se usó, venció o se abrió en otro navegador. Vuelve a empezar desde el administrador de Tiendanube.",
    "nuvemshop.refused.code": "Tiendanube no aceptó esta autorización. Vuelve a empezar desde el administrador de Tiendanube.",
    "nuvemshop.refused.scopes": "Carryover necesita acceso a tus clientes y pedidos. Autorízalo de nuevo y acepta todos los permisos que pide.",
    "nuvemshop.refused.store": "Tiendanube respondió por otra tienda. Vuelve a empezar desde el administrador de Tiendanube.",
    "nuvemshop.unavailable": "No se pudo contactar a Tiendanube en este momento. No se perdió nada: inténtalo de nuevo en unos instantes.",
    "nuvemshop.details": "Detalles: {detail}",
    "nuvemshop.startAgain": "Volver a empezar",
  },
});
