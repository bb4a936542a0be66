/**
 * Forgiving header matching: which column of the file feeds which field. Provider presets first,
 * then synonyms in Portuguese, Spanish and English; the merchant's own choice always wins.
 */
import { getPreset } from "./presets";
import {
  IMPORT_KINDS,
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
    "vip",
    "vip status",
    "tier level",
    "nível de fidelidade",
    "nivel de fidelidad",
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
    "referrer code",
    "invite code",
    "invitation code",
    "código de invitación",
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
  // Coupon files only (the other kinds never read these three). Bare "code", "value", "amount"
  // and their translations are read only in a coupon file (KIND_SYNONYMS).
  couponCode: [
    "coupon",
    "coupon code",
    "discount code",
    "voucher",
    "voucher code",
    "reward code",
    "cupom",
    "código do cupom",
    "código de cupom",
    "cupom de desconto",
    "código de desconto",
    "cupón",
    "código de cupón",
    "código del cupón",
    "cupón de descuento",
    "código de descuento",
  ],
  couponValue: [
    "coupon value",
    "coupon amount",
    "discount value",
    "discount amount",
    "reward value",
    "valor do cupom",
    "valor do desconto",
    "valor de desconto",
    "valor del cupón",
    "valor del descuento",
    "monto del descuento",
    "importe del descuento",
  ],
  couponExpiresAt: [
    "expires",
    "expires at",
    "expires on",
    "expiry",
    "expiry date",
    "expiration",
    "expiration date",
    "valid until",
    "validade",
    "data de validade",
    "válido até",
    "vencimento",
    "data de vencimento",
    "expira",
    "expira em",
    "vence",
    "vence em",
    "vencimiento",
    "fecha de vencimiento",
    "expiración",
    "fecha de expiración",
    "válido hasta",
  ],
};

/** Fields that only a history file reads. */
const HISTORY_ONLY_FIELDS: ReadonlySet<TargetField> = new Set(["occurredAt", "reason"]);
/** Fields that only a coupon file reads. */
const COUPON_FIELDS: ReadonlySet<TargetField> = new Set(["couponCode", "couponValue", "couponExpiresAt"]);
const IDENTITY_AND_NAME_FIELDS = ["email", "phone", "cpf", "platformCustomerId", "firstName", "lastName", "fullName"] as const satisfies readonly TargetField[];

/**
 * The fields each kind of file reads; a column of any other field stays in the raw data only.
 * Tier, referral and coupon files carry no points: their points column, if any, is not read.
 */
export const KIND_FIELDS: Readonly<Record<ImportKind, readonly TargetField[]>> = {
  balances: TARGET_FIELDS.filter((field) => !HISTORY_ONLY_FIELDS.has(field) && !COUPON_FIELDS.has(field)),
  history: TARGET_FIELDS.filter((field) => !COUPON_FIELDS.has(field)),
  // updatedAt / enrolledAt decide the `latest` duplicate policy, as in a balances file.
  tiers: [...IDENTITY_AND_NAME_FIELDS, "tier", "enrolledAt", "updatedAt"],
  referrals: [...IDENTITY_AND_NAME_FIELDS, "referralCode"],
  coupons: [...IDENTITY_AND_NAME_FIELDS, "couponCode", "couponValue", "couponExpiresAt"],
};

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

/**
 * Headers too bare to mean one field in every file, read only in the kind of file where they do:
 * "Code" is the referral code of a referral file and the coupon code of a coupon file; "Value" or
 * "Valor" is a coupon's value. Deliberately absent: "referral link" / "referral URL" (a link to the
 * old provider, not a code: it cannot be carried) and bare "discount" (the code or the value?).
 */
const KIND_SYNONYMS: Readonly<Partial<Record<ImportKind, Readonly<Partial<Record<TargetField, readonly string[]>>>>>> = {
  history: { points: HISTORY_POINTS_SYNONYMS, occurredAt: HISTORY_DATE_SYNONYMS },
  referrals: { referralCode: ["code", "código", "indicação", "referido"] },
  coupons: {
    couponCode: ["code", "código"],
    couponValue: ["value", "amount", "valor", "monto", "importe"],
    couponExpiresAt: ["ends at", "end date", "data final", "fecha de fin", "fecha final"],
  },
};

/** Fields whose shared synonyms a kind does not read: a history file's points are a change, not a balance. */
const KIND_REPLACES: Readonly<Partial<Record<ImportKind, readonly TargetField[]>>> = { history: ["points"] };

const SYNONYM_INDEX: ReadonlyMap<string, TargetField> = (() => {
  const index = new Map<string, TargetField>();
  for (const field of TARGET_FIELDS) {
    for (const synonym of HEADER_SYNONYMS[field]) index.set(headerKey(synonym), field);
  }
  return index;
})();

/** The synonyms a kind of file reads: the shared ones of its fields, then its own (which win). */
const KIND_SYNONYM_INDEX: Readonly<Record<ImportKind, ReadonlyMap<string, TargetField>>> = (() => {
  const out = {} as Record<ImportKind, Map<string, TargetField>>;
  for (const kind of IMPORT_KINDS) {
    const fields = new Set(KIND_FIELDS[kind]);
    const replaced = new Set(KIND_REPLACES[kind] ?? []);
    const index = new Map<string, TargetField>();
    for (const [key, field] of SYNONYM_INDEX) if (fields.has(field) && !replaced.has(field)) index.set(key, field);
    for (const [field, synonyms] of Object.entries(KIND_SYNONYMS[kind] ?? {}) as [TargetField, readonly string[]][]) {
      for (const synonym of synonyms) index.set(headerKey(synonym), field);
    }
    out[kind] = index;
  }
  return out;
})();

/** The field a header means in a file of this kind, by synonym alone, or null. */
export function fieldForHeaderIn(kind: ImportKind, h: string): TargetField | null {
  const index = KIND_SYNONYM_INDEX[kind];
  return index.get(headerKey(h)) ?? index.get(headerKeyWithoutHints(h)) ?? null;
}

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
 * Each kind reads its own fields (KIND_FIELDS) and its own synonyms (KIND_SYNONYMS). `kind`
 * "history": the provider presets describe balance exports and are skipped; synonyms read the
 * points column as the signed change (HISTORY_POINTS_SYNONYMS) and add the event's date and reason.
 * `kind` "balances" (the default) never maps the history-only or coupon fields; "tiers", "referrals"
 * and "coupons" apply the preset's names of the fields they read (a Smile tiers file is `email`,
 * `vip_tier`) and never map points.
 */
export function matchHeaders(
  header: readonly string[],
  provider: ProviderId,
  explicit?: Partial<Record<TargetField, string>>,
  kind: ImportKind = "balances",
): HeaderMatch {
  const fields = KIND_FIELDS[kind];
  const synonyms = KIND_SYNONYM_INDEX[kind];
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
      if (field !== undefined && mapping[field] === undefined) assign(field, index);
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
  const found = foundHeaders(header);
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
  const found = foundHeaders(header);
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

/** How many column names a refusal lists, and how much of each: a message stays readable with 100,000 columns. */
const FOUND_LISTED = 20;
const FOUND_NAME_CHARS = 40;

/** The headers found, for a refusal: the first 20 (each cut at 40 characters), then how many more. */
export function foundHeaders(header: readonly string[]): string {
  if (header.length === 0) return "no headers at all";
  const listed = header.slice(0, FOUND_LISTED).map((h) => `"${h.length > FOUND_NAME_CHARS ? `${h.slice(0, FOUND_NAME_CHARS - 1)}…` : h}"`);
  const more = header.length - listed.length;
  return more > 0 ? `${listed.join(", ")} and ${more.toLocaleString("en")} more` : listed.join(", ");
}

function requireIdentity(mapping: ColumnMapping, header: readonly string[]): void {
  if (!IDENTITY_FIELDS.some((field) => mapping[field] !== undefined)) {
    throw new ImportFileError(
      "NO_IDENTITY_COLUMN",
      `No column identifies the customer (e-mail, phone, CPF or customer id). Columns found: ${foundHeaders(header)}. ` +
        "Choose the column that holds the customer's e-mail (or phone, CPF or customer id).",
    );
  }
}

/** A tiers file needs a column that identifies the customer and a column with each customer's tier. */
export function requireTierColumns(mapping: ColumnMapping, header: readonly string[]): void {
  requireIdentity(mapping, header);
  if (mapping.tier === undefined) {
    throw new ImportFileError(
      "NO_TIER_COLUMN",
      `No column holds the VIP tier. Columns found: ${foundHeaders(header)}. Choose the column with each customer's tier name.`,
    );
  }
}

/** A referrals file needs a column that identifies the customer and a column of referral codes. */
export function requireReferralColumns(mapping: ColumnMapping, header: readonly string[]): void {
  requireIdentity(mapping, header);
  if (mapping.referralCode === undefined) {
    throw new ImportFileError(
      "NO_REFERRAL_CODE_COLUMN",
      `No column holds the referral codes. Columns found: ${foundHeaders(header)}. Choose the column with each customer's referral code ` +
        "(a referral link to the old provider is not a code and cannot be carried).",
    );
  }
}

/** A coupons file needs the customer, the coupon's code and its value; the expiry column is optional. */
export function requireCouponColumns(mapping: ColumnMapping, header: readonly string[]): void {
  requireIdentity(mapping, header);
  if (mapping.couponCode === undefined) {
    throw new ImportFileError(
      "NO_COUPON_CODE_COLUMN",
      `No column holds the coupon codes. Columns found: ${foundHeaders(header)}. Choose the column with each coupon's code.`,
    );
  }
  if (mapping.couponValue === undefined) {
    throw new ImportFileError(
      "NO_COUPON_VALUE_COLUMN",
      `No column holds the coupons' values. Columns found: ${foundHeaders(header)}. ` +
        'Choose the column with each coupon\'s value, an amount ("15,00") or a percentage ("10%").',
    );
  }
}
