import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigate, useNavigation, useSearchParams } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Button, Card, EmptySearchResult, IndexTable, InlineGrid, InlineStack, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { requireAdmin } from "../auth.server";
import { MembersListParams, searchMembers, type MemberRow } from "../services/members/members.server";
import { useI18n } from "../i18n/react";
import { useAppPath } from "../components/use-app-path";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const params = MembersListParams.parse(Object.fromEntries(new URL(request.url).searchParams));
  const result = await searchMembers(shop, params);
  return { result, q: params.q ?? "", state: params.state ?? "", paged: Boolean(params.after || params.before) };
};

function MemberStateBadge({ state, redacted }: { state: string; redacted: boolean }) {
  const { t } = useI18n();
  if (redacted) return <Badge>{t("members.state.redacted")}</Badge>;
  if (state === "visible") return <Badge tone="success">{t("members.state.visible")}</Badge>;
  return <Badge tone="attention">{t("members.state.pending")}</Badge>;
}

function memberName(m: Pick<MemberRow, "firstName" | "lastName" | "redacted">, t: ReturnType<typeof useI18n>["t"]): string {
  if (m.redacted) return t("members.redactedName");
  const name = [m.firstName, m.lastName].filter(Boolean).join(" ").trim();
  return name || t("members.unnamed");
}

export default function MembersList() {
  const { result, q, state, paged } = useLoaderData<typeof loader>();
  const { t, number } = useI18n();
  const path = useAppPath();
  const navigate = useNavigate();
  const navigation = useNavigation();
  const [params] = useSearchParams();
  const [text, setText] = useState(q);
  const [filter, setFilter] = useState(state);
  const locale = params.get("locale");

  const rows = result.outcome === "found" ? result.rows : [];
  const go = (cursor: { after?: string; before?: string }) => {
    const next = new URLSearchParams();
    if (q) next.set("q", q);
    if (state) next.set("state", state);
    if (cursor.after) next.set("after", cursor.after);
    if (cursor.before) next.set("before", cursor.before);
    navigate(path(`/app/members?${next.toString()}`));
  };
  const noMembersAtAll = result.outcome === "found" && result.query === "all" && !state && !paged && rows.length === 0;

  return (
    <Page title={t("members.title")} subtitle={t("members.intro")}>
      <Layout>
        <Layout.Section>
          {noMembersAtAll ? (
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("members.emptyHeading")}
                </Text>
                <Text as="p">{t("members.emptyBody")}</Text>
                <InlineStack>
                  <Button url={path("/app")}>{t("members.emptyAction")}</Button>
                </InlineStack>
              </BlockStack>
            </Card>
          ) : (
            <Card padding="0">
              <Box padding="400">
                <Form method="get" role="search">
                  {locale && <input type="hidden" name="locale" value={locale} />}
                  <BlockStack gap="200">
                    <InlineGrid columns={{ xs: 1, md: "1fr 14rem auto" }} gap="300" alignItems="end">
                      <TextField
                        label={t("members.searchLabel")}
                        name="q"
                        value={text}
                        onChange={setText}
                        placeholder={t("members.searchPlaceholder")}
                        autoComplete="off"
                        clearButton
                        onClearButtonClick={() => setText("")}
                      />
                      <Select
                        label={t("members.stateLabel")}
                        name="state"
                        value={filter}
                        onChange={setFilter}
                        options={[
                          { label: t("members.stateAll"), value: "" },
                          { label: t("members.state.visible"), value: "visible" },
                          { label: t("members.state.pending"), value: "pending" },
                        ]}
                      />
                      <Button submit variant="primary" size="large" loading={navigation.state === "loading" && navigation.location?.pathname === "/app/members"}>
                        {t("members.search")}
                      </Button>
                    </InlineGrid>
                    <Text as="p" variant="bodySm" tone="subdued">
                      {t("members.searchHelp")}
                    </Text>
                  </BlockStack>
                </Form>
              </Box>
              {result.outcome === "invalid-phone" && (
                <Box paddingInline="400" paddingBlockEnd="400">
                  <Banner tone="warning">{t("members.invalidPhone", { text: result.text })}</Banner>
                </Box>
              )}
              {result.outcome === "too-short" && (
                <Box paddingInline="400" paddingBlockEnd="400">
                  <Banner tone="info">{t("members.tooShort")}</Banner>
                </Box>
              )}
              <IndexTable
                resourceName={{ singular: t("members.resourceSingular"), plural: t("members.resourcePlural") }}
                itemCount={rows.length}
                selectable={false}
                emptyState={<EmptySearchResult title={t("members.noResultsHeading")} description={t("members.noResultsBody")} withIllustration />}
                headings={[
                  { title: t("members.col.member") },
                  { title: t("members.col.email") },
                  { title: t("members.col.phone") },
                  { title: t("members.col.state") },
                  { title: t("members.col.tier") },
                  { title: t("members.col.balance"), alignment: "end" },
                ]}
                pagination={
                  result.outcome === "found" && (result.previous !== null || result.next !== null)
                    ? {
                        hasPrevious: result.previous !== null,
                        hasNext: result.next !== null,
                        onPrevious: () => result.previous && go({ before: result.previous }),
                        onNext: () => result.next && go({ after: result.next }),
                      }
                    : undefined
                }
              >
                {rows.map((m, i) => (
                  <IndexTable.Row id={m.id} key={m.id} position={i}>
                    <IndexTable.Cell>
                      <Link to={path(`/app/members/${encodeURIComponent(m.id)}`)} data-testid="member-link">
                        <Text as="span" fontWeight="semibold">
                          {memberName(m, t)}
                        </Text>
                      </Link>
                    </IndexTable.Cell>
                    <IndexTable.Cell>{m.email ?? "—"}</IndexTable.Cell>
                    <IndexTable.Cell>{m.phone ?? "—"}</IndexTable.Cell>
                    <IndexTable.Cell>
                      <MemberStateBadge state={m.state} redacted={m.redacted} />
                    </IndexTable.Cell>
                    <IndexTable.Cell>{m.tier ?? "—"}</IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" alignment="end" numeric>
                        <span data-testid="member-balance">{number(m.balance)}</span>
                      </Text>
                    </IndexTable.Cell>
                  </IndexTable.Row>
                ))}
              </IndexTable>
            </Card>
          )}
        </Layout.Section>
      </Layout>
    </Page>
  );
}
