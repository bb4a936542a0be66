import { BlockStack, Card, Text } from "@shopify/polaris";
import { useI18n } from "../i18n/react";

/** One headline number, written the merchant's way. */
export function Figure({ label, value, testId, help }: { label: string; value: number; testId: string; help?: string }) {
  const { number } = useI18n();
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h3" variant="headingSm" tone="subdued">
          {label}
        </Text>
        <Text as="p" variant="heading2xl">
          <span data-testid={testId}>{number(value)}</span>
        </Text>
        {help && (
          <Text as="p" variant="bodySm" tone="subdued">
            {help}
          </Text>
        )}
      </BlockStack>
    </Card>
  );
}
