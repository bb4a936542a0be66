// Writes up to 25 metafields at once; atomic: when any input has a userError, none is written.
// https://shopify.dev/docs/api/admin-graphql/latest/mutations/metafieldsSet

export const METAFIELDS_SET_MAX = 25;

export const METAFIELDS_SET_MUTATION = /* GraphQL */ `
  mutation MetafieldsSet($metafields: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $metafields) {
      metafields {
        key
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export interface MetafieldsSetInput {
  ownerId: string;
  namespace: string;
  key: string;
  type: string;
  value: string;
}

export interface MetafieldsSetResult {
  metafieldsSet: {
    metafields: Array<{ key: string }> | null;
    userErrors: Array<{ field: string[] | null; message: string; code: string | null }>;
  } | null;
}
