/**
 * Forgiving header matching: which column of the file feeds which field. Provider presets first,
 * then synonyms in Portuguese, Spanish and English; the merchant's own choice always wins.
 */
import { getPreset } from "./presets";
import {
  ImportFileError,
  TARGET_FIELDS,
  type ColumnMapping,
  type ImportKind,
  type ProviderId,
  type TargetField,
} from "./types";

/**
 * Lower-case, accents stripped (NFD), runs of spaces / underscores / dashes / dots collapsed to one
 * space, trimmed: `" E-mail_Address "` → `"e mail address"`, `"Nível"` → `"nivel"`. Idempotent.
 */
export function normalizeHeader(h: string): string {
  return h
    .toLowerCase()
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(/[\s_\-.]+/gu, " ")
    .trim();
}

/**
 * The key two headers are compared on: the normalised header without spaces, so that
 * `"PointsBalance"`, `"points_balance"` and `"Points Balance"` meet.
 */
function headerKey(h: string): string {
  return normalizeHeader(h).replace(/ /g, "");
}

/** The same key with bracketed hints dropped: `"Birthday (MM/DD)"` → `"birthday"`. */
function headerKeyWithoutHints(h: string): string {
  return headerKey(h.replace(/\([^)]*\)|\[[^\]]*\]/g, " "));
}

/**
 * Header synonyms per field, in the languages of the merchants we serve (pt-BR, es, en), written as
 * a person would write them; they are compared after normalizeHeader. A synonym belongs to one field
 * only (tested). Deliberately absent: bare "id" (every provider has its own internal id), "state" and
 * "estado" (an address column in most customer exports), "credits balance" (store credit is money,
 * not points), "points total" / "lifetime points" (they include pending, spent or expired points).
 */
export const HEADER_SYNONYMS: Readonly<Record<TargetField, readonly string[]>> = {
  email: [
    "email",
    "e-mail",
    "emails",
    "mail",
    "email address",
    "e-mail address",
    "customer email",
    "customer e-mail",
    "endereço de e-mail",
    "endereço de email",
    "e-mail do cliente",
    "email do cliente",
    "correo",
    "correo electrónico",
    "correo electronico",
    "email del cliente",
  ],
  phone: [
    "phone",
    "phone number",
    "telephone",
    "mobile",
    "mobile phone",
    "mobile number",
    "cell",
    "cell phone",
    "cellphone",
    "tel",
    "telefone",
    "celular",
    "whatsapp",
    "fone",
    "número de telefone",
    "telefone celular",
    "teléfono",
    "móvil",
    "número de teléfono",
    "número de celular",
  ],
  cpf: [
    "cpf",
    "cpf/cnpj",
    "cpf do cliente",
    "número do cpf",
    "documento",
    "identificacao",
    "identificação",
    "identification",
  ],
  platformCustomerId: [
    "customer id",
    "shopify customer id",
    "shopify id",
    "merchant id",
    "merchant customer id",
    "loyaltylion customer id",
    "external id",
    "external customer id",
    "nuvemshop customer id",
    "tiendanube customer id",
    "platform customer id",
    "id do cliente",
    "id cliente",
    "código do cliente",
    "id de cliente",
    "id del cliente",
  ],
  firstName: ["first name", "given name", "primeiro nome", "primer nombre", "nombre de pila"],
  lastName: ["last name", "surname", "family name", "sobrenome", "último nome", "apellido", "apellidos"],
  fullName: [
    "name",
    "full name",
    "customer name",
    "nome",
    "nome completo",
    "nome do cliente",
    "nombre",
    "nombre completo",
    "nombre del cliente",
  ],
  points: [
    "points",
    "point",
    "pontos",
    "puntos",
    "points balance",
    "point balance",
    "current points",
    "current points balance",
    "available points",
    "approved points",
    "points approved",
    "loyalty points",
    "reward points",
    "balance",
    "saldo",
    "saldo de pontos",
    "pontos disponíveis",
    "saldo de puntos",
    "puntos disponibles",
  ],
  pointsSpent: [
    "points spent",
    "spent points",
    "points redeemed",
    "redeemed points",
    "pontos usados",
    "pontos gastos",
    "pontos resgatados",
    "puntos usados",
    "puntos gastados",
    "puntos canjeados",
  ],
  tier: [
    "tier",
    "vip tier",
    "tier name",
    "current tier",
    "loyalty tier",
    "membership tier",
    "membership type",
    "vip level",
    "level",
    "nível",
    "nível vip",
    "categoria",
    "faixa",
    "nivel vip",
    "categoría",
  ],
  referralCode: [
    "referral code",
    "referral",
    "referral id",
    "código de indicação",
    "código de convite",
    "cupom de indicação",
    "código de referido",
    "código de referencia",
  ],
  marketingConsent: [
    "accepts marketing",
    "accepts email marketing",
    "marketing",
    "marketing consent",
    "email marketing consent",
    "opt-in",
    "newsletter",
    "aceita marketing",
    "aceita receber e-mails",
    "aceita newsletter",
    "acepta marketing",
    "consentimiento de marketing",
  ],
  birthday: [
    "birthday",
    "birthdate",
    "birth date",
    "date of birth",
    "dob",
    "data de nascimento",
    "nascimento",
    "aniversário",
    "fecha de nacimiento",
    "cumpleaños",
  ],
  enrolledAt: [
    "enrolled",
    "enrolled at",
    "enrollment date",
    "enrolment date",
    "activation date",
    "joined",
    "joined at",
    "join date",
    "member since",
    "signup date",
    "created at",
    "created date",
    "data de cadastro",
    "data de adesão",
    "data de inscrição",
    "cliente desde",
    "fecha de registro",
    "fecha de alta",
    "fecha de inscripción",
  ],
  updatedAt: [
    "updated at",
    "updated",
    "last updated",
    "last activity",
    "last activity date",
    "last modified",
    "última atualização",
    "última atividade",
    "fecha de actualización",
    "última actividad",
  ],
  status: [
    "status",
    "member status",
    "membership status",
    "loyalty status",
    "customer status",
    "situação",
    "status do cliente",
    "estado de membresía",
  ],
  // History files only (matchHeaders ignores these two fields in a balances file).
  occurredAt: [
    "date",
    "event date",
    "occurred at",
    "transaction date",
    "data",
    "data do evento",
    "data da transação",
    "fecha",
    "fecha del evento",
    "fecha de la transacción",
  ],
  reason: [
    "reason",
    "description",
    "action",
    "motivo",
    "descrição",
    "ação",
    "descripción",
    "acción",
  ],
};

/** Fields a balances file never reads. */
const HISTORY_ONLY_FIELDS: ReadonlySet<TargetField> = new Set(["occurredAt", "reason"]);

/**
 * In a history file the points column is each event's signed change, never a balance: these replace
 * the balance synonyms of `points` ("balance", "saldo", "available points"… would be a running
 * balance there, not the change). "Created at" is the event's date, not the enrolment date.
 */
const HISTORY_POINTS_SYNONYMS = [
  "points",
  "point",
  "pontos",
  "puntos",
  "points change",
  "point change",
  "points delta",
  "change",
  "delta",
  "amount",
  "points amount",
  "variação",
  "variação de pontos",
  "variación",
  "variación de puntos",
] as const;
const HISTORY_DATE_SYNONYMS = ["created at", "created", "criado em", "creado el"] as const;

const SYNONYM_INDEX: ReadonlyMap<string, TargetField> = (() => {
  const index = new Map<string, TargetField>();
  for (const field of TARGET_FIELDS) {
    for (const synonym of HEADER_SYNONYMS[field]) index.set(headerKey(synonym), field);
  }
  return index;
})();

const HISTORY_SYNONYM_INDEX: ReadonlyMap<string, TargetField> = (() => {
  const index = new Map<string, TargetField>();
  for (const [key, field] of SYNONYM_INDEX) if (field !== "points") index.set(key, field);
  for (const synonym of HISTORY_POINTS_SYNONYMS) index.set(headerKey(synonym), "points");
  for (const synonym of HISTORY_DATE_SYNONYMS) index.set(headerKey(synonym), "occurredAt");
  return index;
})();

/** The field a header means by synonym alone, or null. */
export function fieldForHeader(h: string): TargetField | null {
  return SYNONYM_INDEX.get(headerKey(h)) ?? SYNONYM_INDEX.get(headerKeyWithoutHints(h)) ?? null;
}

/** Headers that say "name" without saying which part: with a surname column beside them they are the first name. */
const BARE_NAME_KEYS = new Set(["name", "nome", "nombre"]);

export interface HeaderMatch {
  mapping: ColumnMapping;
  /** Headers of columns that feed no field (kept in each row's raw values all the same). */
  unmapped: string[];
  /** Headers that repeat an earlier column's name: the first column wins, these are not read. */
  duplicates: string[];
}

/**
 * Maps columns to fields. Order of authority: the merchant's explicit mapping (by header name; a
 * name not in the file is ignored), then the provider preset's column names in the preset's order
 * of preference, then synonyms, left to right. A column feeds one field at most and a field reads
 * one column. With repeated header names the first column wins and the repeats are listed.
 *
 * `kind` "history": the provider presets describe balance exports and are skipped; synonyms read the
 * points column as the signed change (HISTORY_POINTS_SYNONYMS) and add the event's date and reason.
 * `kind` "balances" (the default) never maps the history-only fields.
 */
export function matchHeaders(
  header: readonly string[],
  provider: ProviderId,
  explicit?: Partial<Record<TargetField, string>>,
  kind: ImportKind = "balances",
): HeaderMatch {
  const fields = kind === "history" ? TARGET_FIELDS : TARGET_FIELDS.filter((field) => !HISTORY_ONLY_FIELDS.has(field));
  const synonyms = kind === "history" ? HISTORY_SYNONYM_INDEX : SYNONYM_INDEX;
  const mapping: ColumnMapping = {};
  const claimed = new Set<number>();
  const duplicates: string[] = [];
  const duplicateColumns = new Set<number>();
  const firstByKey = new Map<string, number>();

  header.forEach((h, index) => {
    const key = headerKey(h);
    if (key === "") return;
    if (firstByKey.has(key)) {
      duplicates.push(h);
      duplicateColumns.add(index);
    } else {
      firstByKey.set(key, index);
    }
  });

  const assign = (field: TargetField, index: number): void => {
    mapping[field] = index;
    claimed.add(index);
  };
  const free = (index: number): boolean => !claimed.has(index) && !duplicateColumns.has(index);

  // 1. The merchant's word: exact header first, then the same header after normalisation.
  if (explicit) {
    for (const field of fields) {
      const name = explicit[field];
      if (name === undefined) continue;
      let index = header.findIndex((h, i) => h === name && !duplicateColumns.has(i));
      if (index < 0) index = header.findIndex((h, i) => headerKey(h) === headerKey(name) && !duplicateColumns.has(i));
      if (index >= 0 && !claimed.has(index)) assign(field, index);
    }
  }

  // 2. The provider's documented columns, in the preset's order of preference; a header that says
  //    the name exactly beats one that says it with a bracketed hint ("Points (pending)").
  const preset = getPreset(provider);
  for (const field of kind === "history" ? [] : fields) {
    if (mapping[field] !== undefined) continue;
    for (const name of preset.columns[field] ?? []) {
      const key = headerKey(name);
      let index = header.findIndex((h, i) => free(i) && headerKey(h) === key);
      if (index < 0) index = header.findIndex((h, i) => free(i) && headerKeyWithoutHints(h) === key);
      if (index >= 0) {
        assign(field, index);
        break;
      }
    }
  }

  // 3. Synonyms, left to right; the first column saying a field gets it, exact headers before
  //    headers recognised only once their bracketed hint is dropped.
  for (const keyOf of [headerKey, headerKeyWithoutHints]) {
    header.forEach((h, index) => {
      if (!free(index)) return;
      const field = synonyms.get(keyOf(h));
      if (field !== undefined && mapping[field] === undefined && (kind === "history" || !HISTORY_ONLY_FIELDS.has(field))) assign(field, index);
    });
  }

  // "Nome" + "Sobrenome": the bare name column is the first name, not the full name.
  const full = mapping.fullName;
  if (full !== undefined && mapping.lastName !== undefined && mapping.firstName === undefined && explicit?.fullName === undefined) {
    if (BARE_NAME_KEYS.has(headerKey(header[full] ?? ""))) {
      delete mapping.fullName;
      mapping.firstName = full;
    }
  }

  const unmapped = header.filter((_, index) => !claimed.has(index) && !duplicateColumns.has(index));
  return { mapping, unmapped, duplicates };
}

const IDENTITY_FIELDS = ["email", "phone", "cpf", "platformCustomerId"] as const satisfies readonly TargetField[];

/**
 * A balances file needs a column that identifies the customer and a column of points; otherwise the
 * whole file is refused, with the headers that were found so the merchant can map them by hand.
 */
export function requireIdentityAndPoints(mapping: ColumnMapping, header: readonly string[]): void {
  const found = header.length === 0 ? "no headers at all" : header.map((h) => `"${h}"`).join(", ");
  if (!IDENTITY_FIELDS.some((field) => mapping[field] !== undefined)) {
    throw new ImportFileError(
      "NO_IDENTITY_COLUMN",
      `No column identifies the customer (e-mail, phone, CPF or customer id). Columns found: ${found}. ` +
        "Choose the column that holds the customer's e-mail (or phone, CPF or customer id).",
    );
  }
  if (mapping.points === undefined) {
    throw new ImportFileError(
      "NO_POINTS_COLUMN",
      `No column holds the points balance. Columns found: ${found}. Choose the column with each customer's points.`,
    );
  }
}

/**
 * A history file needs a column that identifies the customer, a column of signed points changes and
 * a column with each event's date; otherwise the whole file is refused, with the headers found.
 */
export function requireHistoryColumns(mapping: ColumnMapping, header: readonly string[]): void {
  const found = header.length === 0 ? "no headers at all" : header.map((h) => `"${h}"`).join(", ");
  if (!IDENTITY_FIELDS.some((field) => mapping[field] !== undefined)) {
    throw new ImportFileError(
      "NO_IDENTITY_COLUMN",
      `No column identifies the customer (e-mail, phone, CPF or customer id). Columns found: ${found}. ` +
        "Choose the column that holds the customer's e-mail (or phone, CPF or customer id).",
    );
  }
  if (mapping.points === undefined) {
    throw new ImportFileError(
      "NO_POINTS_COLUMN",
      `No column holds the points change of each event (e.g. +100, -50). Columns found: ${found}. ` +
        "Choose the column with the points each event added or removed.",
    );
  }
  if (mapping.occurredAt === undefined) {
    throw new ImportFileError(
      "NO_DATE_COLUMN",
      `No column holds the date of each event. Columns found: ${found}. Choose the column with the date the points changed.`,
    );
  }
}
