import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigate, useNavigation } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Button, Card, Divider, FormLayout, IndexTable, InlineStack, Layout, Page, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { requireAdmin } from "../auth.server";
import {
  AdjustForm,
  adjustBalance,
  adjustFormErrors,
  MemberPageParams,
  memberView,
  pushMemberBalance,
  PushForm,
  type AdjustOutcome,
  type HistoryLine,
  type PushAgainOutcome,
} from "../services/members/members.server";
import { useI18n } from "../i18n/react";
import { useAppPath } from "../components/use-app-path";

function memberIdOf(params: Record<string, string | undefined>): string {
  const id = params.memberId;
  if (!id || id.length > 300) throw new Response("Not found", { status: 404 });
  return id;
}

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const page = MemberPageParams.parse(Object.fromEntries(new URL(request.url).searchParams));
  const view = await memberView(shop.id, memberIdOf(params), page);
  if (view.outcome === "not-found") throw new Response("Not found", { status: 404 });
  return view;
};

type ActionResult =
  | { intent: "adjust"; result: Exclude<AdjustOutcome, { outcome: "not-found" }> | { outcome: "invalid"; fields: Array<"points" | "reason" | "requestId"> } }
  | { intent: "push"; result: Exclude<PushAgainOutcome, { outcome: "not-found" }> };

export const action = async ({ request, params }: ActionFunctionArgs): Promise<ActionResult> => {
  const { shop, session } = await requireAdmin(request);
  const memberId = memberIdOf(params);
  const form = Object.fromEntries(await request.formData());
  if (PushForm.safeParse(form).success) {
    const pushed = await pushMemberBalance(shop, memberId);
    if (pushed.outcome === "not-found") throw new Response("Not found", { status: 404 });
    return { intent: "push", result: pushed };
  }
  const parsed = AdjustForm.safeParse(form);
  if (!parsed.success) return { intent: "adjust", result: { outcome: "invalid", fields: adjustFormErrors(parsed.error) } };
  const { points, reason, requestId } = parsed.data;
  const adjusted = await adjustBalance({ shop, memberId, points, reason, requestId, actor: session.onlineAccessInfo?.associated_user?.email ?? null });
  if (adjusted.outcome === "not-found") throw new Response("Not found", { status: 404 });
  return { intent: "adjust", result: adjusted };
};

function useSigned() {
  const { number } = useI18n();
  return (points: number) => (points > 0 ? `+${number(points)}` : number(points));
}

function MemberStateBadge({ state, redacted }: { state: string; redacted: boolean }) {
  const { t } = useI18n();
  if (redacted) return <Badge>{t("members.state.redacted")}</Badge>;
  if (state === "visible") return <Badge tone="success">{t("members.state.visible")}</Badge>;
  return <Badge tone="attention">{t("members.state.pending")}</Badge>;
}

function Detail({ label, children, testId }: { label: string; children: React.ReactNode; testId?: string }) {
  return (
    <BlockStack gap="100">
      <Text as="dt" variant="bodySm" tone="subdued">
        {label}
      </Text>
      <Text as="dd" variant="bodyMd" breakWord>
        <span data-testid={testId}>{children}</span>
      </Text>
    </BlockStack>
  );
}

function AdjustResult({ data }: { data: ActionResult }) {
  const { t, number } = useI18n();
  const signed = useSigned();
  if (data.intent === "push") {
    const r = data.result;
    if (r.outcome === "pushed") return <Banner tone="success">{t("members.pushed")}</Banner>;
    if (r.outcome === "not-visible") return <Banner tone="info">{t("members.notVisible")}</Banner>;
    return <PushFailed message={r.message} />;
  }
  const r = data.result;
  switch (r.outcome) {
    case "adjusted":
    case "duplicate":
      return (
        <BlockStack gap="200">
          <Banner tone={r.outcome === "adjusted" ? "success" : "info"}>
            <span data-testid="adjust-outcome">
              {r.outcome === "adjusted" ? t("members.adjusted", { points: signed(r.points), balance: number(r.balance) }) : t("members.duplicate", { balance: number(r.balance) })}
            </span>
          </Banner>
          {r.push.outcome === "pushed" && <Banner tone="success">{t("members.pushed")}</Banner>}
          {r.push.outcome === "not-visible" && <Banner tone="info">{t("members.notVisible")}</Banner>}
          {r.push.outcome === "push-failed" && <PushFailed message={r.push.message} />}
        </BlockStack>
      );
    case "below-zero":
      return (
        <Banner tone="critical">
          <span data-testid="adjust-outcome">{t("members.belowZero", { removed: number(-r.points), balance: number(r.balance) })}</span>
        </Banner>
      );
    case "invalid-points":
      return (
        <Banner tone="critical">
          {r.reason === "too-large"
            ? t("members.tooLarge", { max: number(r.max ?? 0) })
            : r.reason === "above-maximum"
              ? t("members.aboveMaximum", { max: number(r.max ?? 0) })
              : r.reason === "zero"
                ? t("members.invalidZero")
                : t("members.adjustPointsInvalid")}
        </Banner>
      );
    case "redacted":
      return <Banner tone="critical">{t("members.adjustRedacted")}</Banner>;
    case "request-reused":
      return <Banner tone="critical">{t("members.requestReused")}</Banner>;
    case "invalid":
      return r.fields.includes("requestId") ? <Banner tone="critical">{t("members.adjustExpired")}</Banner> : null;
  }
}

function PushFailed({ message }: { message: string }) {
  const { t } = useI18n();
  const navigation = useNavigation();
  return (
    <Banner tone="warning">
      <BlockStack gap="200">
        <Text as="p">{t("members.pushFailed", { message })}</Text>
        <Form method="post">
          <input type="hidden" name="intent" value="push" />
          <Button submit loading={navigation.state === "submitting" && navigation.formData?.get("intent") === "push"}>
            {t("members.pushAgain")}
          </Button>
        </Form>
      </BlockStack>
    </Banner>
  );
}

function AdjustCard({ requestId, disabled }: { requestId: string; disabled: boolean }) {
  const { t } = useI18n();
  const navigation = useNavigation();
  const data = useActionData<typeof action>();
  const [points, setPoints] = useState("");
  const [reason, setReason] = useState("");
  // A posted adjustment empties the form (the reloaded page brings a new request id with it).
  useEffect(() => {
    if (data?.intent === "adjust" && (data.result.outcome === "adjusted" || data.result.outcome === "duplicate")) {
      setPoints("");
      setReason("");
    }
  }, [data]);
  const invalid = data?.intent === "adjust" && data.result.outcome === "invalid" ? data.result.fields : [];
  const busy = navigation.state === "submitting" && navigation.formData?.get("intent") === "adjust";
  return (
    <Card>
      <BlockStack gap="300">
        <BlockStack gap="100">
          <Text as="h2" variant="headingMd">
            {t("members.adjustHeading")}
          </Text>
          <Text as="p" tone="subdued">
            {t("members.adjustIntro")}
          </Text>
        </BlockStack>
        {data && <AdjustResult data={data} />}
        <Form method="post">
          <input type="hidden" name="intent" value="adjust" />
          <input type="hidden" name="requestId" value={requestId} />
          <FormLayout>
            <FormLayout.Group condensed>
              <TextField
                label={t("members.adjustPoints")}
                name="points"
                value={points}
                onChange={setPoints}
                inputMode="numeric"
                autoComplete="off"
                helpText={t("members.adjustPointsHelp")}
                error={invalid.includes("points") ? t("members.adjustPointsInvalid") : undefined}
                disabled={disabled}
              />
              <TextField
                label={t("members.adjustReason")}
                name="reason"
                value={reason}
                onChange={setReason}
                autoComplete="off"
                maxLength={500}
                helpText={t("members.adjustReasonHelp")}
                error={invalid.includes("reason") ? t("members.adjustReasonInvalid") : undefined}
                disabled={disabled}
              />
            </FormLayout.Group>
            <InlineStack align="end">
              <Button submit variant="primary" loading={busy} disabled={disabled}>
                {t("members.adjustSubmit")}
              </Button>
            </InlineStack>
          </FormLayout>
        </Form>
      </BlockStack>
    </Card>
  );
}

function sourceOf(line: HistoryLine): string {
  // An adjustment's source is the admin itself; its reason is what the merchant wrote.
  if (line.kind === "adjust") return line.reason ?? "—";
  return line.reason ? `${line.sourceRef} · ${line.reason}` : line.sourceRef;
}

export default function MemberPage() {
  const { member, history, adjustmentRequestId } = useLoaderData<typeof loader>();
  const { t, number, date, dateTime, maybe } = useI18n();
  const signed = useSigned();
  const path = useAppPath();
  const navigate = useNavigate();
  const name = member.redacted ? t("members.redactedName") : [member.firstName, member.lastName].filter(Boolean).join(" ").trim() || member.email || t("members.unnamed");
  const page = (cursor: { older?: string; newer?: string }) => {
    const next = new URLSearchParams();
    if (cursor.older) next.set("older", cursor.older);
    if (cursor.newer) next.set("newer", cursor.newer);
    navigate(path(`/app/members/${encodeURIComponent(member.id)}?${next.toString()}`), { preventScrollReset: true });
  };
  return (
    <Page title={name} titleMetadata={<MemberStateBadge state={member.state} redacted={member.redacted} />} backAction={{ content: t("members.back"), url: path("/app/members") }}>
      <Layout>
        {member.redacted && member.redactedAt && (
          <Layout.Section>
            <Banner tone="info">{t("members.redactedBanner", { date: date(member.redactedAt) })}</Banner>
          </Layout.Section>
        )}
        {member.balance !== member.ledgerSum && (
          <Layout.Section>
            <Banner tone="critical">{t("members.drift", { balance: number(member.balance), sum: number(member.ledgerSum) })}</Banner>
          </Layout.Section>
        )}
        <Layout.Section>
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingSm" tone="subdued">
                  {t("members.balance")}
                </Text>
                <Text as="p" variant="heading2xl">
                  <span data-testid="member-balance">{t("members.pointsValue", { points: number(member.balance) })}</span>
                </Text>
                <Text as="p" tone="subdued">
                  {member.state === "visible" ? t("members.visibleExplained") : t("members.pendingExplained")}
                </Text>
              </BlockStack>
            </Card>
            <AdjustCard requestId={adjustmentRequestId} disabled={member.redacted} />
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="300">
              <dl style={{ margin: 0 }}>
                <BlockStack gap="300">
                  <Detail label={t("members.state")}>
                    <MemberStateBadge state={member.state} redacted={member.redacted} />
                  </Detail>
                  <Detail label={t("members.tier")} testId="member-tier">
                    {member.tier ?? t("common.notSet")}
                  </Detail>
                  <Detail label={t("members.referralCode")} testId="member-referral">
                    {member.referralCode ?? t("common.notSet")}
                  </Detail>
                  <Detail label={t("members.restoredAt")}>
                    {member.restoredAt ? dateTime(member.restoredAt) : member.state === "visible" ? t("members.restoredAtApply") : t("members.restoredWaiting")}
                  </Detail>
                  <Detail label={t("members.migration")}>
                    {member.migration ? <Link to={path(`/app/migrations/${member.migration.id}`)}>{member.migration.name}</Link> : t("members.noMigration")}
                  </Detail>
                  <Detail label={t("members.customerId")} testId="member-customer">
                    {member.platformCustomerId ?? t("members.noCustomer")}
                  </Detail>
                </BlockStack>
              </dl>
              {!member.redacted && (
                <>
                  <Divider />
                  <dl style={{ margin: 0 }}>
                    <BlockStack gap="300">
                      <Detail label={t("members.email")} testId="member-email">
                        {member.email ?? "—"}
                      </Detail>
                      <Detail label={t("members.phone")}>{member.phone ?? "—"}</Detail>
                    </BlockStack>
                  </dl>
                </>
              )}
              <Detail label={t("members.memberSince")}>{date(member.createdAt)}</Detail>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card padding="0">
            <Box padding="400">
              <BlockStack gap="100">
                <Text as="h2" variant="headingMd">
                  {t("members.historyHeading")}
                </Text>
                <Text as="p" tone="subdued">
                  {member.entries === 1 ? t("members.historyCountOne") : t("members.historyCount", { count: number(member.entries) })}
                </Text>
              </BlockStack>
            </Box>
            <IndexTable
              resourceName={{ singular: t("members.entrySingular"), plural: t("members.entryPlural") }}
              itemCount={history.lines.length}
              selectable={false}
              emptyState={
                <Box padding="400">
                  <Text as="p" tone="subdued">
                    {t("members.historyEmpty")}
                  </Text>
                </Box>
              }
              headings={[
                { title: t("members.col.date") },
                { title: t("members.col.kind") },
                { title: t("members.col.points"), alignment: "end" },
                { title: t("members.col.balanceAfter"), alignment: "end" },
                { title: t("members.col.source") },
              ]}
              pagination={
                history.newer !== null || history.older !== null
                  ? {
                      hasPrevious: history.newer !== null,
                      hasNext: history.older !== null,
                      onPrevious: () => history.newer && page({ newer: history.newer }),
                      onNext: () => history.older && page({ older: history.older }),
                    }
                  : undefined
              }
            >
              {history.lines.map((line, i) => (
                <IndexTable.Row id={line.id} key={line.id} position={i}>
                  <IndexTable.Cell>{dateTime(line.occurredAt)}</IndexTable.Cell>
                  <IndexTable.Cell>
                    <BlockStack gap="050">
                      <Text as="span" fontWeight="medium">
                        <span data-testid="history-kind">{maybe(`members.kind.${line.kind}`) ?? line.kind}</span>
                      </Text>
                      {line.reversal && (
                        <Text as="span" variant="bodySm" tone="subdued">
                          {t("members.reversalNote")}
                        </Text>
                      )}
                    </BlockStack>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Text as="span" alignment="end" numeric tone={line.points < 0 ? "critical" : line.points > 0 ? "success" : "subdued"}>
                      <span data-testid="history-points">{signed(line.points)}</span>
                    </Text>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Text as="span" alignment="end" numeric>
                      <span data-testid="history-balance">{number(line.balanceAfter)}</span>
                    </Text>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <div style={{ maxWidth: "28rem", whiteSpace: "normal" }}>
                      <Text as="span" breakWord>
                        <span data-testid="history-source">{sourceOf(line)}</span>
                      </Text>
                    </div>
                  </IndexTable.Cell>
                </IndexTable.Row>
              ))}
            </IndexTable>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
