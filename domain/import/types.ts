/**
 * The contract of the import pipeline (issue "Import"): reading → mapping & validation →
 * staging. Reading turns bytes into numbered rows; mapping turns a row into a normalised record
 * or a rejection with reasons; the app stages both and keeps the accounts.
 * Everything in domain/import/ is pure: it gets bytes and options, never paths or process.env.
 */

// ---------------------------------------------------------------- reading (domain/import/read/)

export type FileKind = "csv" | "xlsx";
export type Encoding = "utf-8" | "utf-8-bom" | "windows-1252" | "iso-8859-1";
export type Delimiter = "," | ";" | "\t";
export type QuoteChar = '"' | "'";
/** How numbers are written: "dot" = 1,234.56 (dot decimal), "comma" = 1.234,56 (comma decimal). */
export type DecimalMark = "dot" | "comma";
/** Order of day/month/year in slash or dash dates that are not ISO. */
export type DateOrder = "dmy" | "mdy";

/** Everything needed to read a file; detected, shown to the merchant, and overridable. */
export interface FileFormat {
  kind: FileKind;
  encoding: Encoding; // XLSX: always "utf-8"
  delimiter: Delimiter; // XLSX: ","
  quote: QuoteChar;
  /** 1-based physical line (CSV) or sheet row (XLSX) of the header. */
  headerRow: number;
  decimalMark: DecimalMark;
  dateOrder: DateOrder;
}

export interface DetectedFormat extends FileFormat {
  /** What detection could not settle and chose by default, in words for the merchant. */
  notes: string[];
  /** True when some date in the sample fits both orders (e.g. 03/04/2025) and none decides it. */
  dateOrderAmbiguous: boolean;
  header: string[];
  /** First data rows, for the mapping screen. */
  sample: string[][];
}

/** One physical data row of the file. rowNumber is the line (CSV) or sheet row (XLSX), 1-based. */
export interface SourceRow {
  rowNumber: number;
  cells: string[];
}

export type ReadEvent =
  | { type: "header"; rowNumber: number; header: string[] }
  | { type: "row"; row: SourceRow }
  /** Blank lines and comment lines (starting with #): ignored and counted. */
  | { type: "ignored"; rowNumber: number; reason: "blank" | "comment" }
  /** A row the reader could not parse (unterminated quote, wrong column count…): rejected, reading goes on. */
  | { type: "malformed"; rowNumber: number; reason: string; raw: string };

export type ImportFileErrorCode =
  | "EMPTY_FILE"
  | "BINARY_FILE"
  | "UNSUPPORTED_EXTENSION"
  | "HEADER_ONLY"
  | "NO_HEADER"
  | "NO_IDENTITY_COLUMN"
  | "NO_POINTS_COLUMN"
  | "NO_DATE_COLUMN"
  | "NO_TIER_COLUMN"
  | "NO_REFERRAL_CODE_COLUMN"
  | "NO_COUPON_CODE_COLUMN"
  | "NO_COUPON_VALUE_COLUMN"
  | "TOO_LARGE"
  | "TRUNCATED_XLSX"
  | "XLSX_TOO_LARGE"
  | "MIXED_ENCODING"
  | "DUPLICATE_FILE";

/** The whole file is refused; nothing of it is staged. `message` is for the merchant. */
export class ImportFileError extends Error {
  constructor(
    readonly code: ImportFileErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "ImportFileError";
  }
}

// ------------------------------------------------- mapping and validation (domain/import/*.ts)

/**
 * What a file holds:
 * - "balances": one row a customer, the points they have;
 * - "history": one row an event (customer, date, signed points change, reason); several rows a
 *   customer are normal;
 * - "tiers": one row a customer, the VIP tier they hold (Smile.io exports it as its own file);
 * - "referrals": one row a customer, their referral code;
 * - "coupons": one row an unused coupon (code, value, customer, expiry); a customer may hold several.
 * Rows of the last three carry 0 points.
 */
export const IMPORT_KINDS = ["balances", "history", "tiers", "referrals", "coupons"] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export const PROVIDERS = ["smile", "loyaltylion", "yotpo", "rivo", "bon", "joy", "bonifiq", "generic"] as const;
export type ProviderId = (typeof PROVIDERS)[number];

export const TARGET_FIELDS = [
  "email",
  "phone",
  "cpf",
  "platformCustomerId",
  "firstName",
  "lastName",
  "fullName",
  "points",
  "pointsSpent",
  "tier",
  "referralCode",
  "marketingConsent",
  "birthday",
  "enrolledAt",
  "updatedAt",
  "status",
  /** History files: when the event happened. */
  "occurredAt",
  /** History files: why the points changed, as written. */
  "reason",
  /** Coupon files: the unused coupon's code. */
  "couponCode",
  /** Coupon files: its value, money in the shop's currency ("15,00") or a percentage ("10%"). */
  "couponValue",
  /** Coupon files: the date it expires (empty: it never does). */
  "couponExpiresAt",
] as const;
export type TargetField = (typeof TARGET_FIELDS)[number];

/** Which column (0-based index into the header) feeds each field. */
export type ColumnMapping = Partial<Record<TargetField, number>>;

export type RoundingRule = "reject" | "round" | "floor" | "ceil";

export interface ValidationOptions {
  /** ISO 3166-1 alpha-2 country of the store: the default for phones without a country code. */
  defaultCountry: string;
  decimalMark: DecimalMark;
  dateOrder: DateOrder;
  /** What to do with points that have decimals. */
  rounding: RoundingRule;
  /** Balances (or, in history files, changes) above this in absolute value are rejected as absurd. */
  maxPoints: number;
}

export type RejectCode =
  | "NO_IDENTITY"
  | "INVALID_EMAIL"
  | "INVALID_PHONE"
  | "INVALID_CPF"
  | "MISSING_POINTS"
  | "INVALID_POINTS"
  | "FRACTIONAL_POINTS"
  | "NEGATIVE_POINTS"
  | "ZERO_DELTA"
  | "POINTS_OVER_CAP"
  | "INVALID_DATE"
  | "MISSING_DATE"
  | "AMBIGUOUS_DATE"
  | "MALFORMED_ROW"
  | "DUPLICATE_FOR_REVIEW"
  /** Tier files: the tier cell is empty. */
  | "MISSING_TIER"
  /** Referral files: the code cell is empty, or holds something that cannot be a code (a link). */
  | "MISSING_REFERRAL_CODE"
  | "INVALID_REFERRAL_CODE"
  /** Referral files: the code is another customer's, on an earlier row. */
  | "DUPLICATE_REFERRAL_CODE"
  /** Referral files: the customer already has another code, on an earlier row. */
  | "CONFLICTING_REFERRAL_CODE"
  /** Coupon files. */
  | "MISSING_COUPON_CODE"
  | "INVALID_COUPON_CODE"
  | "MISSING_COUPON_VALUE"
  | "INVALID_COUPON_VALUE"
  /** Coupon files: the code is already on an earlier row. */
  | "DUPLICATE_COUPON_CODE";

export interface RejectReason {
  code: RejectCode;
  field?: TargetField;
  /** For the merchant, e.g. 'E-mail "ana@" is not a valid address'. */
  message: string;
}

/** A valid row, normalised. Raw values are kept beside the normalised ones. */
export interface NormalizedRecord {
  rowNumber: number;
  email: string | null;
  emailNormalized: string | null;
  phone: string | null;
  phoneE164: string | null;
  cpf: string | null; // 11 digits
  platformCustomerRef: string | null;
  firstName: string | null;
  lastName: string | null;
  points: number; // balances: integer ≥ 0; history: the event's signed change, never 0; tiers, referrals, coupons: 0
  pointsSpent: number | null;
  tier: string | null;
  referralCode: string | null;
  marketingConsent: "yes" | "no" | null;
  birthday: string | null; // YYYY-MM-DD
  enrolledAt: string | null; // ISO date or date-time
  updatedAt: string | null;
  status: string | null;
  /** History files only: ISO date or date-time of the event. */
  occurredAt?: string | null;
  /** History files only: the event's reason, as written. */
  reason?: string | null;
  /** Coupon files only: the code as written (trimmed). */
  couponCode?: string | null;
  /** Coupon files only: "15.00" (money, dot decimal, at least two decimals) or "10%" (percentage). */
  couponValue?: string | null;
  /** Coupon files only: YYYY-MM-DD, null when the coupon never expires. */
  couponExpiresAt?: string | null;
  /** header → cell, exactly as read. */
  raw: Record<string, string>;
}

export type RowOutcome =
  | { status: "valid"; record: NormalizedRecord }
  /** points: the row's points when they could be read (they count as rejected points), else 0. */
  | { status: "rejected"; rowNumber: number; reasons: RejectReason[]; points: number; raw: Record<string, string> };

export type DuplicatePolicy = "sum" | "max" | "latest" | "review";

/** The accounts of one import; the identities below always hold (checkAccounts). */
export interface ImportAccounts {
  rowsTotal: number; // data rows after the header, blank and comment lines included
  rowsValid: number;
  rowsRejected: number;
  rowsMerged: number; // duplicates folded into another row by the policy
  rowsIgnored: number; // blank and comment lines
  pointsInFile: number; // Σ readable points of every data row
  pointsValid: number; // Σ points of valid rows after merging (what gets staged)
  pointsRejected: number; // Σ readable points of rejected rows
  pointsMergedAway: number; // points of merged rows not carried by their survivor (max/latest)
}
