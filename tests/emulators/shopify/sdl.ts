// The emulated subset of the Shopify Admin GraphQL schema. Names, types and nullability follow
// https://shopify.dev/docs/api/admin-graphql (2026-01). Anything not declared here is rejected by
// GraphQL validation, exactly like a field that does not exist in Shopify's schema.

export const SDL = /* GraphQL */ `
"""An ISO-8601 encoded UTC date time string, e.g. 2024-01-01T12:30:00Z."""
scalar DateTime
"""A signed decimal number serialised as a string, e.g. "29.99"."""
scalar Decimal
"""An unsigned 64-bit integer serialised as a string."""
scalar UnsignedInt64
"""An RFC 3986 URL string."""
scalar URL
"""A JSON value."""
scalar JSON

interface Node {
  id: ID!
}

interface LegacyInteroperability {
  legacyResourceId: UnsignedInt64!
}

interface HasMetafields {
  metafield(namespace: String, key: String!): Metafield
  metafields(first: Int, after: String, last: Int, before: String, reverse: Boolean = false, namespace: String, keys: [String!]): MetafieldConnection!
}

type PageInfo {
  hasNextPage: Boolean!
  hasPreviousPage: Boolean!
  startCursor: String
  endCursor: String
}

enum CountPrecision {
  AT_LEAST
  EXACT
}

type Count {
  count: Int!
  precision: CountPrecision!
}

enum CurrencyCode {
  BRL
  USD
  ARS
  CLP
  COP
  MXN
  PEN
  UYU
  CAD
  EUR
  GBP
}

enum CountryCode {
  BR
  US
  AR
  CL
  CO
  MX
  PE
  UY
  CA
  GB
  PT
  ES
}

type MoneyV2 {
  amount: Decimal!
  currencyCode: CurrencyCode!
}

type MoneyBag {
  shopMoney: MoneyV2!
  presentmentMoney: MoneyV2!
}

type MailingAddress implements Node {
  id: ID!
  address1: String
  address2: String
  city: String
  company: String
  country: String
  countryCodeV2: CountryCode
  firstName: String
  lastName: String
  name: String
  phone: String
  province: String
  provinceCode: String
  zip: String
  formatted(withName: Boolean = false, withCompany: Boolean = true): [String!]!
}

enum CustomerState {
  DECLINED
  DISABLED
  ENABLED
  INVITED
}

enum CustomerEmailAddressMarketingState {
  INVALID
  NOT_SUBSCRIBED
  PENDING
  REDACTED
  SUBSCRIBED
  UNSUBSCRIBED
}

enum CustomerSmsMarketingState {
  NOT_SUBSCRIBED
  PENDING
  REDACTED
  SUBSCRIBED
  UNSUBSCRIBED
}

enum CustomerMarketingOptInLevel {
  CONFIRMED_OPT_IN
  SINGLE_OPT_IN
  UNKNOWN
}

type CustomerEmailAddress {
  emailAddress: String
  marketingState: CustomerEmailAddressMarketingState!
  marketingOptInLevel: CustomerMarketingOptInLevel
  marketingUpdatedAt: DateTime
  validFormat: Boolean!
}

type CustomerPhoneNumber {
  phoneNumber: String!
  marketingState: CustomerSmsMarketingState!
  marketingOptInLevel: CustomerMarketingOptInLevel
  marketingUpdatedAt: DateTime
}

enum CustomerSortKeys {
  CREATED_AT
  ID
  NAME
  RELEVANCE
  UPDATED_AT
}

type Customer implements Node & LegacyInteroperability & HasMetafields {
  id: ID!
  legacyResourceId: UnsignedInt64!
  firstName: String
  lastName: String
  displayName: String!
  email: String @deprecated(reason: "Use \`defaultEmailAddress.emailAddress\` instead.")
  phone: String @deprecated(reason: "Use \`defaultPhoneNumber.phoneNumber\` instead.")
  defaultEmailAddress: CustomerEmailAddress
  defaultPhoneNumber: CustomerPhoneNumber
  defaultAddress: MailingAddress
  addresses(first: Int): [MailingAddress!]!
  state: CustomerState!
  createdAt: DateTime!
  updatedAt: DateTime!
  numberOfOrders: UnsignedInt64!
  amountSpent: MoneyV2!
  tags: [String!]!
  note: String
  verifiedEmail: Boolean!
  validEmailAddress: Boolean!
  taxExempt: Boolean!
  locale: String!
  canDelete: Boolean!
  lifetimeDuration: String!
  orders(first: Int, after: String, last: Int, before: String, reverse: Boolean = false, query: String, sortKey: OrderSortKeys = ID): OrderConnection!
  metafield(namespace: String, key: String!): Metafield
  metafields(first: Int, after: String, last: Int, before: String, reverse: Boolean = false, namespace: String, keys: [String!]): MetafieldConnection!
}

type CustomerEdge {
  cursor: String!
  node: Customer!
}

type CustomerConnection {
  edges: [CustomerEdge!]!
  nodes: [Customer!]!
  pageInfo: PageInfo!
}

enum OrderDisplayFinancialStatus {
  AUTHORIZED
  EXPIRED
  PAID
  PARTIALLY_PAID
  PARTIALLY_REFUNDED
  PENDING
  REFUNDED
  VOIDED
}

enum OrderDisplayFulfillmentStatus {
  FULFILLED
  IN_PROGRESS
  ON_HOLD
  OPEN
  PARTIALLY_FULFILLED
  PENDING_FULFILLMENT
  REQUEST_DECLINED
  RESTOCKED
  SCHEDULED
  UNFULFILLED
}

enum OrderCancelReason {
  CUSTOMER
  DECLINED
  FRAUD
  INVENTORY
  OTHER
  STAFF
}

enum OrderSortKeys {
  CREATED_AT
  CUSTOMER_NAME
  FINANCIAL_STATUS
  FULFILLMENT_STATUS
  ID
  ORDER_NUMBER
  PROCESSED_AT
  RELEVANCE
  TOTAL_PRICE
  UPDATED_AT
}

type Order implements Node & LegacyInteroperability & HasMetafields {
  id: ID!
  legacyResourceId: UnsignedInt64!
  name: String!
  number: Int!
  email: String
  phone: String
  createdAt: DateTime!
  updatedAt: DateTime!
  processedAt: DateTime!
  cancelledAt: DateTime
  cancelReason: OrderCancelReason
  closed: Boolean!
  closedAt: DateTime
  confirmed: Boolean!
  test: Boolean!
  fullyPaid: Boolean!
  unpaid: Boolean!
  displayFinancialStatus: OrderDisplayFinancialStatus
  displayFulfillmentStatus: OrderDisplayFulfillmentStatus!
  customer: Customer
  currencyCode: CurrencyCode!
  presentmentCurrencyCode: CurrencyCode!
  totalPriceSet: MoneyBag!
  currentTotalPriceSet: MoneyBag!
  subtotalPriceSet: MoneyBag
  currentSubtotalPriceSet: MoneyBag!
  totalRefundedSet: MoneyBag!
  totalDiscountsSet: MoneyBag
  totalTaxSet: MoneyBag
  totalShippingPriceSet: MoneyBag!
  sourceName: String
  tags: [String!]!
  note: String
  customerLocale: String
  metafield(namespace: String, key: String!): Metafield
  metafields(first: Int, after: String, last: Int, before: String, reverse: Boolean = false, namespace: String, keys: [String!]): MetafieldConnection!
}

type OrderEdge {
  cursor: String!
  node: Order!
}

type OrderConnection {
  edges: [OrderEdge!]!
  nodes: [Order!]!
  pageInfo: PageInfo!
}

enum MetafieldOwnerType {
  API_PERMISSION
  CUSTOMER
  ORDER
  SHOP
  PRODUCT
  PRODUCTVARIANT
  COLLECTION
  COMPANY
  LOCATION
  DRAFTORDER
}

type Metafield implements Node & LegacyInteroperability {
  id: ID!
  legacyResourceId: UnsignedInt64!
  namespace: String!
  key: String!
  value: String!
  jsonValue: JSON!
  type: String!
  ownerType: MetafieldOwnerType!
  compareDigest: String!
  createdAt: DateTime!
  updatedAt: DateTime!
  description: String
  definition: MetafieldDefinition
}

type MetafieldEdge {
  cursor: String!
  node: Metafield!
}

type MetafieldConnection {
  edges: [MetafieldEdge!]!
  nodes: [Metafield!]!
  pageInfo: PageInfo!
}

type MetafieldIdentifier {
  ownerId: ID!
  namespace: String!
  key: String!
}

input MetafieldIdentifierInput {
  ownerId: ID!
  namespace: String!
  key: String!
}

input MetafieldsSetInput {
  ownerId: ID!
  namespace: String
  key: String!
  value: String!
  type: String
  compareDigest: String
}

enum MetafieldsSetUserErrorCode {
  APP_NOT_AUTHORIZED
  BLANK
  CAPABILITY_VIOLATION
  INCLUSION
  INTERNAL_ERROR
  INVALID
  INVALID_COMPARE_DIGEST
  INVALID_TYPE
  INVALID_VALUE
  LESS_THAN_OR_EQUAL_TO
  PRESENT
  STALE_OBJECT
  TAKEN
  TOO_LONG
  TOO_SHORT
}

type MetafieldsSetUserError {
  field: [String!]
  message: String!
  code: MetafieldsSetUserErrorCode
  elementIndex: Int
}

type MetafieldsSetPayload {
  metafields: [Metafield!]
  userErrors: [MetafieldsSetUserError!]!
}

type UserError {
  field: [String!]
  message: String!
}

type MetafieldsDeletePayload {
  deletedMetafields: [MetafieldIdentifier]
  userErrors: [UserError!]!
}

enum MetafieldAdminAccess {
  MERCHANT_READ
  MERCHANT_READ_WRITE
  PRIVATE
  PUBLIC_READ
  PUBLIC_READ_WRITE
}

enum MetafieldAdminAccessInput {
  MERCHANT_READ
  MERCHANT_READ_WRITE
}

enum MetafieldStorefrontAccess {
  NONE
  PUBLIC_READ
}

enum MetafieldStorefrontAccessInput {
  NONE
  PUBLIC_READ
}

enum MetafieldCustomerAccountAccess {
  NONE
  READ
  READ_WRITE
}

enum MetafieldCustomerAccountAccessInput {
  NONE
  READ
  READ_WRITE
}

input MetafieldAccessInput {
  admin: MetafieldAdminAccessInput
  storefront: MetafieldStorefrontAccessInput
  customerAccount: MetafieldCustomerAccountAccessInput
}

type MetafieldAccess {
  admin: MetafieldAdminAccess
  storefront: MetafieldStorefrontAccess
  customerAccount: MetafieldCustomerAccountAccess!
}

type MetafieldDefinitionType {
  name: String!
  category: String!
}

type MetafieldDefinition implements Node {
  id: ID!
  name: String!
  namespace: String!
  key: String!
  description: String
  type: MetafieldDefinitionType!
  ownerType: MetafieldOwnerType!
  access: MetafieldAccess!
  pinnedPosition: Int
}

type MetafieldDefinitionEdge {
  cursor: String!
  node: MetafieldDefinition!
}

type MetafieldDefinitionConnection {
  edges: [MetafieldDefinitionEdge!]!
  nodes: [MetafieldDefinition!]!
  pageInfo: PageInfo!
}

input MetafieldDefinitionInput {
  name: String!
  namespace: String
  key: String!
  description: String
  type: String!
  ownerType: MetafieldOwnerType!
  pin: Boolean = false
  access: MetafieldAccessInput
}

enum MetafieldDefinitionCreateUserErrorCode {
  APP_NOT_AUTHORIZED
  BLANK
  INCLUSION
  INVALID
  INVALID_OPTION
  PRESENT
  TAKEN
  TOO_LONG
  TOO_SHORT
  RESERVED_NAMESPACE_KEY
  LIMIT_EXCEEDED
}

type MetafieldDefinitionCreateUserError {
  field: [String!]
  message: String!
  code: MetafieldDefinitionCreateUserErrorCode
}

type MetafieldDefinitionCreatePayload {
  createdDefinition: MetafieldDefinition
  userErrors: [MetafieldDefinitionCreateUserError!]!
}

type Domain {
  id: ID!
  host: String!
  url: URL!
  sslEnabled: Boolean!
}

type ShopAddress {
  address1: String
  city: String
  country: String
  countryCodeV2: CountryCode
  province: String
  provinceCode: String
  zip: String
  phone: String
}

type ShopPlan {
  displayName: String!
  partnerDevelopment: Boolean!
  shopifyPlus: Boolean!
}

type Shop implements Node & HasMetafields {
  id: ID!
  name: String!
  email: String!
  contactEmail: String!
  myshopifyDomain: String!
  primaryDomain: Domain!
  url: URL!
  currencyCode: CurrencyCode!
  enabledPresentmentCurrencies: [CurrencyCode!]!
  ianaTimezone: String!
  timezoneAbbreviation: String!
  timezoneOffset: String!
  timezoneOffsetMinutes: Int!
  billingAddress: ShopAddress!
  plan: ShopPlan!
  createdAt: DateTime!
  metafield(namespace: String, key: String!): Metafield
  metafields(first: Int, after: String, last: Int, before: String, reverse: Boolean = false, namespace: String, keys: [String!]): MetafieldConnection!
}

type App implements Node {
  id: ID!
  title: String!
  handle: String
  apiKey: String!
}

type AppInstallation implements Node & HasMetafields {
  id: ID!
  app: App!
  launchUrl: URL!
  metafield(namespace: String, key: String!): Metafield
  metafields(first: Int, after: String, last: Int, before: String, reverse: Boolean = false, namespace: String, keys: [String!]): MetafieldConnection!
}

enum BulkOperationStatus {
  CANCELED
  CANCELING
  COMPLETED
  CREATED
  EXPIRED
  FAILED
  RUNNING
}

enum BulkOperationErrorCode {
  ACCESS_DENIED
  INTERNAL_SERVER_ERROR
  TIMEOUT
}

enum BulkOperationType {
  MUTATION
  QUERY
}

type BulkOperation implements Node {
  id: ID!
  status: BulkOperationStatus!
  type: BulkOperationType!
  errorCode: BulkOperationErrorCode
  createdAt: DateTime!
  completedAt: DateTime
  objectCount: UnsignedInt64!
  rootObjectCount: UnsignedInt64!
  fileSize: UnsignedInt64
  url: URL
  partialDataUrl: URL
  query: String!
}

enum BulkOperationUserErrorCode {
  INVALID
  LIMIT_REACHED
  OPERATION_IN_PROGRESS
}

type BulkOperationUserError {
  field: [String!]
  message: String!
  code: BulkOperationUserErrorCode
}

type BulkOperationRunQueryPayload {
  bulkOperation: BulkOperation
  userErrors: [BulkOperationUserError!]!
}

type BulkOperationCancelPayload {
  bulkOperation: BulkOperation
  userErrors: [UserError!]!
}

type QueryRoot {
  customers(first: Int, after: String, last: Int, before: String, reverse: Boolean = false, query: String, sortKey: CustomerSortKeys = ID): CustomerConnection!
  customer(id: ID!): Customer
  customerByIdentifier(identifier: CustomerIdentifierInput!): Customer
  customersCount(query: String, limit: Int = 10000): Count
  orders(first: Int, after: String, last: Int, before: String, reverse: Boolean = false, query: String, sortKey: OrderSortKeys = PROCESSED_AT, savedSearchId: ID): OrderConnection!
  order(id: ID!): Order
  ordersCount(query: String, limit: Int = 10000, savedSearchId: ID): Count
  node(id: ID!): Node
  nodes(ids: [ID!]!): [Node]!
  shop: Shop!
  app: App
  currentAppInstallation: AppInstallation!
  currentBulkOperation(type: BulkOperationType = QUERY): BulkOperation
  bulkOperation(id: ID!): BulkOperation
  metafieldDefinitions(first: Int, after: String, last: Int, before: String, reverse: Boolean = false, ownerType: MetafieldOwnerType!, namespace: String, key: String): MetafieldDefinitionConnection!
}

input CustomerIdentifierInput {
  id: ID
  emailAddress: String
  phoneNumber: String
}

type Mutation {
  bulkOperationRunQuery(query: String!, groupObjects: Boolean! = false): BulkOperationRunQueryPayload
  bulkOperationCancel(id: ID!): BulkOperationCancelPayload
  metafieldsSet(metafields: [MetafieldsSetInput!]!): MetafieldsSetPayload
  metafieldsDelete(metafields: [MetafieldIdentifierInput!]!): MetafieldsDeletePayload
  metafieldDefinitionCreate(definition: MetafieldDefinitionInput!): MetafieldDefinitionCreatePayload
}

schema {
  query: QueryRoot
  mutation: Mutation
}
`;
