/**
 * One preset per loyalty provider: the column names its export (or its own import template, which
 * merchants often send us instead) uses for each field, in order of preference. Matching is forgiving
 * (headers.ts normalises case, accents, spaces, underscores and dashes), so one spelling per name is
 * enough. Synonyms still apply after a preset, and the merchant can override any column.
 *
 * Where a name comes from is said per preset. "Documented" means read in the provider's public help
 * or API docs; "inferred" means the provider does not publish it and we wrote what its export or its
 * merchants' spreadsheets are known to contain — the mapping screen is there for the rest.
 */
import { PROVIDERS, type DateOrder, type DecimalMark, type ProviderId, type TargetField } from "./types";

export interface ProviderPreset {
  id: ProviderId;
  /** As merchants know it. */
  name: string;
  /** Column names per field, most specific first. */
  columns: Partial<Record<TargetField, string[]>>;
  /** For the merchant (mapping screen): what the export holds and what to watch for. */
  notes: string[];
  /** How this provider's files usually write numbers and dates; detection still decides per file. */
  formatHints?: { decimalMark?: DecimalMark; dateOrder?: DateOrder };
}

export const PRESETS: Readonly<Record<ProviderId, ProviderPreset>> = {
  // Documented: Smile's points import takes exactly two columns, `email` and `points`
  // (https://help.smile.io/en/articles/4036233-import-points-with-a-csv-file), and its VIP import a
  // tier column whose values must match the tier names exactly
  // (https://help.smile.io/en/articles/4036327-change-customer-vip-tier; its template's columns are
  // exactly `email` and `vip_tier`, which is also what a tiers file — kind "tiers" — holds). The
  // unused coupons of a customer are its reward fulfillments, documented with `code`, `expires_at`
  // ("if empty, the code does not expire"), `used_at`, `customer_id` and a `name` such as
  // "$5 off coupon" (https://dev.smile.io/api/resources/reward-fulfillments/reward-fulfillment-object);
  // Smile documents no CSV of them, so a coupons file is assembled from that object. The customer fields
  // (first_name, last_name, email, state, date_of_birth, points_balance, referral_url, created_at,
  // updated_at) are the Customer object of https://dev.smile.io/api/resources/customers/customer-object;
  // the admin export ("Filter and export → Download results") writes them as title-case headers
  // (Points balance, Member status, VIP tier): those spellings are inferred.
  smile: {
    id: "smile",
    name: "Smile.io",
    columns: {
      email: ["email"],
      points: ["points", "points_balance", "points balance"],
      firstName: ["first_name", "first name"],
      lastName: ["last_name", "last name"],
      tier: ["vip_tier", "vip tier", "tier"],
      birthday: ["date_of_birth", "date of birth"],
      status: ["member status", "membership status"],
      enrolledAt: ["created_at", "created at"],
      updatedAt: ["updated_at", "updated at"],
      couponCode: ["code"],
      couponExpiresAt: ["expires_at", "expires at"],
    },
    notes: [
      "Smile writes birthdays without a year as year 1004 (for example 1004-05-27).",
      "Smile's reward codes carry no value of their own, only a name such as \"$5 off coupon\": a coupons file needs a value column (15.00 or 10%) beside the code.",
      "Smile's referral links (referral_url) are links to Smile and do not work elsewhere; they are kept in the raw data only.",
      "The member status (member, candidate, disabled) is carried as the status. A column named just \"State\" is usually the address and is not read.",
    ],
  },

  // Documented: the customer fields of LoyaltyLion's API — merchant_id (the platform's customer id),
  // email, first_name, last_name, points_approved, points_pending, points_spent, enrolled_at,
  // birthday — https://developers.loyaltylion.com/headless-api/2025-06/customers/get-customer; the
  // points approved / pending / spent definitions in
  // https://help.loyaltylion.com/en/articles/6062006-how-points-work; and the bulk-import sheet
  // "customer ID, emails, points, enrolled (true/false)" in
  // https://help.loyaltylion.com/en/articles/1965801-managing-members. The admin export (Analytics →
  // Exports → Customers) lets the merchant rename its columns; its default title-case spellings are inferred.
  loyaltylion: {
    id: "loyaltylion",
    name: "LoyaltyLion",
    columns: {
      email: ["email", "customer email"],
      platformCustomerId: ["merchant_id", "merchant id", "customer id", "customer_id", "shopify customer id"],
      points: ["points_approved", "points approved", "approved points", "points"],
      pointsSpent: ["points_spent", "points spent"],
      firstName: ["first_name", "first name"],
      lastName: ["last_name", "last name"],
      tier: ["tier", "tier name", "current tier", "tier_membership"],
      birthday: ["birthday", "date of birth"],
      enrolledAt: ["enrolled_at", "enrolled at", "enrollment date", "enrolled"],
      status: ["status", "customer status"],
      referralCode: ["referral_code", "referral code"],
    },
    notes: [
      "Only approved points are carried: pending points are still in their approval period and may be cancelled. Map another column to points if you decide otherwise.",
      "The customer id (merchant_id) is your store's own customer id, used to match customers when the customer base was migrated with its ids.",
    ],
  },

  // Documented: Yotpo Loyalty's customer import columns — Full Name, First Name, Last Name, Email,
  // Points Balance, Points Spent, Birthday (MM/DD or MM/DD/YYYY) —
  // https://support.yotpo.com/v1/docs/importingexporting-points-and-customers; the export holds
  // email, first and last name, current points balance and referral link. "VIP Tier" and "Opted In"
  // are inferred (the same page mentions opting customers in or out of the program).
  yotpo: {
    id: "yotpo",
    name: "Yotpo Loyalty & Referrals",
    columns: {
      email: ["email", "emails"],
      points: ["points balance", "points", "current points balance"],
      pointsSpent: ["points spent"],
      fullName: ["full name"],
      firstName: ["first name"],
      lastName: ["last name"],
      birthday: ["birthday (mm/dd/yyyy)", "birthday (mm/dd)", "birthday"],
      tier: ["vip tier", "tier"],
      status: ["opted in", "program status"],
    },
    notes: [
      "Yotpo writes birthdays month first (MM/DD/YYYY); a birthday without a year (MM/DD) cannot be kept as a date and stays in the raw data only.",
      "\"Opted In\" is membership of the loyalty program, not marketing consent: it is carried as the status and never as consent.",
      "The export's referral link points to Yotpo and is not a code: it is not carried as a referral code.",
    ],
    formatHints: { dateOrder: "mdy" },
  },

  // Documented: Rivo's loyalty data import template is
  // "Email,Points Balance,Birthdate,VIP Tier,Activation Date,Credits Balance"
  // (https://help.rivo.io/en/articles/6671188-using-csv-files-to-manage-loyalty-data-in-bulk); its
  // points-log importer accepts customer_id / Customer ID / Shopify Customer ID
  // (https://help.rivo.io/en/articles/14107276-import-historical-points-or-credits-transactions).
  rivo: {
    id: "rivo",
    name: "Rivo",
    columns: {
      email: ["email"],
      platformCustomerId: ["shopify customer id", "customer id", "customer_id"],
      points: ["points balance", "points"],
      birthday: ["birthdate"],
      tier: ["vip tier"],
      enrolledAt: ["activation date"],
    },
    notes: [
      "Credits Balance is store credit (money), not points: it is not carried as points and stays in the raw data.",
      "Activation Date is the date the customer account was enabled; it is carried as the enrolment date.",
    ],
  },

  // Documented: BON's import needs three columns — Shopify Customer IDs, customer e-mails, points
  // (whole numbers) — https://bonloyalty.com/docs/customers/import-customer-data-via-csv-file. The exact
  // header spellings of its template ("Shopify Customer ID", "Email", "Points") are inferred.
  bon: {
    id: "bon",
    name: "BON Loyalty",
    columns: {
      email: ["email", "customer email"],
      platformCustomerId: ["shopify customer id", "customer id"],
      points: ["points", "points balance"],
      firstName: ["first name"],
      lastName: ["last name"],
      tier: ["vip tier", "tier"],
    },
    notes: ["BON asks for whole points; decimals follow the rounding rule you choose."],
  },

  // Documented: Joy's customer export holds Email, Name, Membership Type (the VIP tier), Points,
  // Birthday, Created Date (the date the customer joined the program) —
  // https://help.joy.so/customers-activities/customers-activities/import-and-export-customer-data; its
  // import needs the birthday column named "Birthday(MM/DD)" with MM/DD values
  // (https://help.joy.so/new-joy-loyalty/customers/import-customer-data). "VIP Tier", "Birth Date",
  // "Points Balance" and "Status" are spellings seen in older Joy exports: inferred.
  joy: {
    id: "joy",
    name: "Joy Loyalty",
    columns: {
      email: ["email"],
      fullName: ["name"],
      tier: ["membership type", "vip tier"],
      points: ["points", "points balance"],
      birthday: ["birthday(mm/dd)", "birthday", "birth date"],
      enrolledAt: ["created date"],
      status: ["status"],
    },
    notes: ["Joy writes birthdays as MM/DD without a year: those cannot be kept as dates and stay in the raw data only."],
    formatHints: { dateOrder: "mdy" },
  },

  // Inferred: BonifiQ (Brazil) documents no export format publicly. These are the Portuguese headers
  // its merchants' spreadsheets use (Nome, E-mail, Telefone, CPF, Pontos, Nível, Data de Nascimento),
  // typically saved by Excel in Windows-1252 with ";" and "1.234" thousands.
  bonifiq: {
    id: "bonifiq",
    name: "BonifiQ",
    columns: {
      email: ["e-mail", "email"],
      phone: ["telefone", "celular", "whatsapp"],
      cpf: ["cpf", "cpf/cnpj"],
      fullName: ["nome", "nome completo"],
      points: ["pontos", "saldo de pontos", "saldo"],
      pointsSpent: ["pontos resgatados", "pontos usados"],
      tier: ["nível", "nivel", "categoria"],
      birthday: ["data de nascimento"],
      enrolledAt: ["data de cadastro"],
      updatedAt: ["última atualização"],
      marketingConsent: ["aceita marketing", "aceita receber e-mails"],
      referralCode: ["código de indicação"],
    },
    notes: [
      "Brazilian spreadsheets write 1.234 for one thousand two hundred and thirty-four and dates day first (31/12/1990).",
      "CPFs are checked (check digits); a CPF that Excel stored as a number and lost its leading zero is restored.",
    ],
    formatHints: { decimalMark: "comma", dateOrder: "dmy" },
  },

  // Any other file: synonyms only (headers.ts), and the mapping screen for the rest.
  generic: {
    id: "generic",
    name: "Other (CSV or Excel)",
    columns: {},
    notes: ["Columns are recognised by name in English, Portuguese and Spanish; check the mapping before continuing."],
  },
};

export function getPreset(id: ProviderId): ProviderPreset {
  return PRESETS[id];
}

/** Every preset, in the order of PROVIDERS (the order the wizard lists them). */
export function listPresets(): ProviderPreset[] {
  return PROVIDERS.map((id) => PRESETS[id]);
}
