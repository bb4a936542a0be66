// Deletes metafields by (owner, namespace, key); a metafield that does not exist answers null, not an error.
// https://shopify.dev/docs/api/admin-graphql/latest/mutations/metafieldsDelete

export const METAFIELDS_DELETE_MUTATION = /* GraphQL */ `
  mutation MetafieldsDelete($metafields: [MetafieldIdentifierInput!]!) {
    metafieldsDelete(metafields: $metafields) {
      deletedMetafields {
        ownerId
        namespace
        key
      }
      userErrors {
        field
        message
      }
    }
  }
`;

export interface MetafieldIdentifierInput {
  ownerId: string;
  namespace: string;
  key: string;
}

export interface MetafieldsDeleteResult {
  metafieldsDelete: {
    deletedMetafields: Array<{ ownerId: string; namespace: string; key: string } | null> | null;
    userErrors: Array<{ field: string[] | null; message: string }>;
  } | null;
}
