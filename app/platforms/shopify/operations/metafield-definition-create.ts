// Declares one app-owned metafield (type, storefront access) so themes and Shopify Flow can read it.
// https://shopify.dev/docs/api/admin-graphql/latest/mutations/metafieldDefinitionCreate

export const METAFIELD_DEFINITION_CREATE_MUTATION = /* GraphQL */ `
  mutation MetafieldDefinitionCreate($definition: MetafieldDefinitionInput!) {
    metafieldDefinitionCreate(definition: $definition) {
      createdDefinition {
        id
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export interface MetafieldDefinitionInput {
  name: string;
  namespace: string;
  key: string;
  type: string;
  ownerType: "CUSTOMER";
  description?: string;
  access?: { storefront?: "PUBLIC_READ" | "NONE" };
}

export interface MetafieldDefinitionCreateResult {
  metafieldDefinitionCreate: {
    createdDefinition: { id: string } | null;
    userErrors: Array<{ field: string[] | null; message: string; code: string | null }>;
  } | null;
}
