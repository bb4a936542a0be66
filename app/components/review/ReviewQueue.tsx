import { useNavigation, useSearchParams } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, ChoiceList, Box, Filters, IndexTable, InlineStack, Tabs, Text, useIndexResourceState } from "@shopify/polaris";
import { useEffect, useMemo, useState, type ReactNode } from "react";
import type { ReviewRow, ReviewStepView } from "../../services/admin/review-step.server";
import { useI18n } from "../../i18n/react";
import { BulkRejectModal, DecisionModal, type DecisionForm } from "./DecisionModal";
import { customerDetails, customerLabel, reasonText } from "./review-text";

type Kind = keyof ReviewStepView["kinds"];

/**
 * The review queue: conflicts of the stored preview ("To review") or every decision taken
 * ("Decided"), a page at a time, filtered by reason; per row the old record, the store's candidate
 * customers and why, the decision; actions per row and, on undecided rows, in bulk.
 */
export function ReviewQueue({ view, busy, done, submit }: { view: ReviewStepView; busy: boolean; done: number; submit: (form: DecisionForm) => void }) {
  const f = useI18n();
  const { t, number } = f;
  const [, setSearchParams] = useSearchParams();
  const navigation = useNavigation();
  const [deciding, setDeciding] = useState<ReviewRow | null>(null);
  const [rejecting, setRejecting] = useState<string[] | null>(null);
  const { query, rows, summary } = view;
  const tab = query.tab;
  const editable = view.open && view.preview !== null;

  const resources = useMemo(() => rows.map((r) => ({ ...r, id: r.recordId })), [rows]);
  // Only undecided rows can be decided in bulk: a decision already taken is changed one at a time.
  const { selectedResources, handleSelectionChange, clearSelection } = useIndexResourceState(resources, { resourceFilter: undecided });
  // A new page, tab or filter, or a decision saved: nothing stays selected and the dialogs close
  // (not on the polling while the preview is rebuilt, which keeps the same rows).
  const rowsKey = rows.map((r) => r.recordId).join(",");
  useEffect(() => {
    clearSelection();
    setDeciding(null);
    setRejecting(null);
  }, [rowsKey, done, clearSelection]);

  const go = (change: (p: URLSearchParams) => void) =>
    setSearchParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        change(next);
        return next;
      },
      { preventScrollReset: true }
    );
  const kinds = Object.entries(view.kinds) as Array<[Kind, number]>;
  const pages = Math.max(1, Math.ceil(view.total / view.pageSize));

  const selected = selectedResources.filter((id) => resources.some((r) => r.id === id && undecided(r)));

  const tabs = [
    {
      id: "open",
      content: t("review.tabOpen", { count: number(summary?.conflicts ?? 0) }),
    },
    {
      id: "decided",
      content: t("review.tabDecided", { count: number(summary?.decided ?? 0) }),
    },
  ];

  const empty =
    tab === "decided" ? (
      <EmptyQueue heading={t("review.emptyDecided")} body={t("review.emptyDecidedBody")} />
    ) : query.kind ? (
      <EmptyQueue heading={t("review.emptyKind")} body={t("review.emptyKindBody")} />
    ) : (
      <EmptyQueue heading={t("review.emptyOpen")} body={t("review.emptyOpenBody")} />
    );

  return (
    <Card padding="0">
      <Tabs
        tabs={tabs}
        selected={tab === "decided" ? 1 : 0}
        onSelect={(i) =>
          go((p) => {
            p.set("tab", tabs[i]!.id);
            p.delete("page");
            p.delete("kind");
          })
        }
      />
      {tab === "open" && (
        <Filters
          queryValue=""
          hideQueryField
          onQueryChange={() => undefined}
          onQueryClear={() => undefined}
          onClearAll={() => go((p) => (p.delete("kind"), p.delete("page")))}
          filters={[
            {
              key: "kind",
              label: t("review.filterKind"),
              pinned: true,
              shortcut: true,
              filter: (
                <ChoiceList
                  title={t("review.filterKind")}
                  titleHidden
                  choices={kinds.map(([k, count]) => ({
                    value: k,
                    label: t("review.kindChoice", {
                      label: t(`review.kind.${k}`),
                      count: number(count),
                    }),
                  }))}
                  selected={query.kind ? [query.kind] : []}
                  onChange={(v) => go((p) => (v[0] ? p.set("kind", v[0]) : p.delete("kind"), p.delete("page")))}
                />
              ),
            },
          ]}
          appliedFilters={
            query.kind
              ? [
                  {
                    key: "kind",
                    label: `${t("review.filterKind")}: ${t(`review.kind.${query.kind}`)}`,
                    onRemove: () => go((p) => (p.delete("kind"), p.delete("page"))),
                  },
                ]
              : []
          }
        />
      )}
      <IndexTable
        resourceName={{
          singular: t("review.resource.one"),
          plural: t("review.resource.other"),
        }}
        itemCount={rows.length}
        selectable={editable && tab === "open"}
        selectedItemsCount={selected.length}
        onSelectionChange={handleSelectionChange}
        loading={navigation.state === "loading"}
        emptyState={empty}
        promotedBulkActions={[
          {
            content: t("review.bulk.pending"),
            onAction: () =>
              selected.length > 0 &&
              submit({
                intent: "bulk",
                decision: "pending",
                recordIds: selected,
              }),
          },
          {
            content: t("review.bulk.reject"),
            onAction: () => selected.length > 0 && setRejecting(selected),
          },
        ]}
        headings={[
          { title: t("review.col.row") },
          { title: t("review.col.record") },
          { title: t("review.col.points"), alignment: "end" },
          { title: t("review.col.reason") },
          { title: t("review.col.candidates") },
          { title: t("review.col.decision") },
          { title: t("review.col.actions"), hidden: !editable },
        ]}
        pagination={{
          hasPrevious: query.page > 1,
          hasNext: query.page < pages,
          onPrevious: () => go((p) => p.set("page", String(query.page - 1))),
          onNext: () => go((p) => p.set("page", String(query.page + 1))),
          label: t("review.page", {
            page: number(query.page),
            pages: number(pages),
          }),
        }}
      >
        {rows.map((row, i) => (
          <IndexTable.Row id={row.recordId} key={row.recordId} position={i} selected={selectedResources.includes(row.recordId)} disabled={row.decision !== null && tab === "open"}>
            <IndexTable.Cell>
              <Text as="span" numeric>
                {number(row.rowNumber)}
              </Text>
            </IndexTable.Cell>
            <IndexTable.Cell>
              <RecordCell row={row} />
            </IndexTable.Cell>
            <IndexTable.Cell>
              <Text as="span" alignment="end" numeric>
                {number(row.points)}
              </Text>
            </IndexTable.Cell>
            <IndexTable.Cell>
              <Wrap min="8rem" max="11rem">
                {reasonText(f, row.reason, "short")}
              </Wrap>
            </IndexTable.Cell>
            <IndexTable.Cell>
              <Candidates row={row} />
            </IndexTable.Cell>
            <IndexTable.Cell>
              <DecisionCell row={row} />
            </IndexTable.Cell>
            <IndexTable.Cell>
              {editable && (
                // Buttons inside a selectable row: the click is theirs, not the row's.
                <div onClick={(e) => e.stopPropagation()} role="presentation" data-testid={`actions-${row.rowNumber}`}>
                  <BlockStack gap="100" inlineAlign="start">
                    <Button size="slim" onClick={() => setDeciding(row)}>
                      {row.decision ? t("review.action.change") : t("review.action.decide")}
                    </Button>
                    {row.decision && (
                      <Button size="slim" tone="critical" variant="plain" onClick={() => submit({ intent: "withdraw", recordId: row.recordId })}>
                        {t("review.action.withdraw")}
                      </Button>
                    )}
                  </BlockStack>
                </div>
              )}
            </IndexTable.Cell>
          </IndexTable.Row>
        ))}
      </IndexTable>
      <DecisionModal row={deciding} busy={busy} onClose={() => setDeciding(null)} onSubmit={submit} />
      {rejecting && (
        <BulkRejectModal
          count={rejecting.length}
          busy={busy}
          onClose={() => setRejecting(null)}
          onConfirm={(note) =>
            submit({
              intent: "bulk",
              decision: "reject",
              recordIds: rejecting,
              note,
            })
          }
        />
      )}
    </Card>
  );
}

const undecided = (r: ReviewRow) => r.decision === null;

function EmptyQueue({ heading, body }: { heading: string; body: string }) {
  return (
    <Box padding="800">
      <BlockStack gap="200" inlineAlign="center">
        <Text as="h3" variant="headingMd" alignment="center">
          <span data-testid="review-empty">{heading}</span>
        </Text>
        <Text as="p" tone="subdued" alignment="center">
          {body}
        </Text>
      </BlockStack>
    </Box>
  );
}

/** Text wraps inside a table cell (IndexTable cells do not wrap) instead of stretching the table. */
function Wrap({ children, min = "8rem", max = "14rem" }: { children: ReactNode; min?: string; max?: string }) {
  return (
    <div
      style={{
        whiteSpace: "normal",
        overflowWrap: "anywhere",
        minWidth: min,
        maxWidth: max,
      }}
    >
      {children}
    </div>
  );
}

function RecordCell({ row }: { row: ReviewRow }) {
  const { t, number } = useI18n();
  return (
    <Wrap min="13rem" max="17rem">
      <BlockStack gap="050">
        <Text as="span" fontWeight="semibold">
          {row.name ?? t("review.unnamed")}
        </Text>
        {[row.email, row.phone, row.cpf ? t("review.cpf", { cpf: row.cpf }) : null]
          .filter((v): v is string => Boolean(v))
          .map((v) => (
            <Text as="span" key={v} variant="bodySm">
              {v}
            </Text>
          ))}
        <Text as="span" variant="bodySm" tone="subdued">
          {t("review.rowOf", {
            row: number(row.rowNumber),
            file: row.fileName,
          })}
        </Text>
      </BlockStack>
    </Wrap>
  );
}

function Candidates({ row }: { row: ReviewRow }) {
  const { t } = useI18n();
  if (row.candidates.length === 0) {
    return (
      <Text as="span" tone="subdued">
        {t("review.noCandidates")}
      </Text>
    );
  }
  return (
    <Wrap min="12rem" max="17rem">
      <BlockStack gap="150">
        {row.candidates.map((c) => (
          <BlockStack gap="050" key={c.platformId}>
            <InlineStack gap="100" blockAlign="center">
              <Text as="span" fontWeight="medium">
                {customerLabel(c)}
              </Text>
              <Badge tone={c.key === "suggested_email" ? "attention" : "info"}>{t(`review.candidateKey.${c.key}`)}</Badge>
            </InlineStack>
            {customerDetails(c) && (
              <Text as="span" variant="bodySm" tone="subdued">
                {customerDetails(c)}
              </Text>
            )}
          </BlockStack>
        ))}
      </BlockStack>
    </Wrap>
  );
}

function DecisionCell({ row }: { row: ReviewRow }) {
  const { t, dateTime } = useI18n();
  const d = row.decision;
  if (!d) return <Badge>{t("review.decision.none")}</Badge>;
  const label =
    d.decision === "match"
      ? t("review.decision.match", {
          customer: d.customer ? customerLabel(d.customer) : "",
        })
      : d.decision === "pending"
      ? t("review.decision.pending")
      : t("review.decision.reject");
  return (
    <Wrap min="9rem" max="12rem">
      <BlockStack gap="100" inlineAlign="start">
        <Badge tone={d.decision === "match" ? "success" : d.decision === "pending" ? "info" : "critical"}>{label}</Badge>
        {d.note && (
          <Text as="span" variant="bodySm">
            {t("review.decision.note", { note: d.note })}
          </Text>
        )}
        <Text as="span" variant="bodySm" tone={d.inPreview ? "success" : "caution"} fontWeight="medium">
          {d.inPreview ? t("review.inPreview") : t("review.notInPreview")}
        </Text>
        <Text as="span" variant="bodySm" tone="subdued">
          {t("review.decidedAt", { date: dateTime(d.decidedAt) })}
        </Text>
      </BlockStack>
    </Wrap>
  );
}
