import { BlockStack, ChoiceList, Modal, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import type { ReviewRow } from "../../services/admin/review-step.server";
import { useI18n } from "../../i18n/react";
import { customerDetails, customerLabel, reasonText } from "./review-text";

export type DecisionForm = Record<string, string | string[]>;

/**
 * One record's decision: match it to one of its candidates, keep it pending until the shopper
 * registers, or reject it with a reason. Opens on the record's current decision, if any.
 */
export function DecisionModal({ row, busy, onClose, onSubmit }: { row: ReviewRow | null; busy: boolean; onClose: () => void; onSubmit: (form: DecisionForm) => void }) {
  const f = useI18n();
  const { t, number } = f;
  const [choice, setChoice] = useState<string[]>([]);
  const [note, setNote] = useState("");
  const [tried, setTried] = useState(false);

  useEffect(() => {
    const d = row?.decision;
    setChoice(d ? [d.decision === "match" ? `match:${d.customer?.platformId ?? ""}` : d.decision] : []);
    setNote(d?.note ?? "");
    setTried(false);
  }, [row]);

  if (!row) return null;
  const selected = choice[0] ?? "";
  const noteMissing = selected === "reject" && note.trim() === "";
  const save = () => {
    setTried(true);
    if (selected === "" || noteMissing) return;
    if (selected.startsWith("match:"))
      onSubmit({
        intent: "decide",
        recordId: row.recordId,
        decision: "match",
        platformCustomerId: selected.slice("match:".length),
        note,
      });
    else
      onSubmit({
        intent: "decide",
        recordId: row.recordId,
        decision: selected,
        note,
      });
  };
  const choices = [
    ...row.candidates.map((c) => ({
      value: `match:${c.platformId}`,
      label: t("review.modal.matchTo", { customer: customerLabel(c) }),
      helpText: [customerDetails(c), t(`review.candidateKey.${c.key}`)].filter(Boolean).join(" — "),
    })),
    { value: "pending", label: t("review.modal.pending") },
    {
      value: "reject",
      label: t("review.modal.reject"),
      renderChildren: (isSelected: boolean) =>
        isSelected && (
          <TextField
            label={t("review.modal.note")}
            helpText={t("review.modal.noteHelp")}
            value={note}
            onChange={setNote}
            autoComplete="off"
            maxLength={500}
            error={tried && noteMissing ? t("review.modal.noteRequired") : undefined}
          />
        ),
    },
  ];
  const who = row.name ?? row.email ?? row.phone ?? (row.cpf ? t("review.cpf", { cpf: row.cpf }) : t("review.unnamed"));
  // What the old program knew of them, to hold against each candidate.
  const contact = [row.email, row.phone, row.cpf ? t("review.cpf", { cpf: row.cpf }) : null].filter((v) => v && v !== who).join(" · ");
  return (
    <Modal
      open
      onClose={onClose}
      title={t("review.modal.title", {
        row: number(row.rowNumber),
        file: row.fileName,
      })}
      primaryAction={{
        content: t("review.modal.save"),
        onAction: save,
        loading: busy,
        disabled: selected === "",
      }}
      secondaryActions={[{ content: t("review.modal.cancel"), onAction: onClose }]}
    >
      <Modal.Section>
        <BlockStack gap="300">
          <BlockStack gap="100">
            <Text as="p" fontWeight="semibold">
              {t("review.modal.record", {
                name: who,
                points: number(row.points),
              })}
            </Text>
            {contact && <Text as="p">{contact}</Text>}
            {row.reason && (
              <Text as="p" tone="subdued">
                {reasonText(f, row.reason)}
              </Text>
            )}
          </BlockStack>
          <ChoiceList title={t("review.modal.choose")} choices={choices} selected={choice} onChange={setChoice} />
        </BlockStack>
      </Modal.Section>
    </Modal>
  );
}

/** Rejecting several records at once: one reason for all. */
export function BulkRejectModal({ count, busy, onClose, onConfirm }: { count: number; busy: boolean; onClose: () => void; onConfirm: (note: string) => void }) {
  const { t, number } = useI18n();
  const [note, setNote] = useState("");
  const [tried, setTried] = useState(false);
  const missing = note.trim() === "";
  return (
    <Modal
      open
      onClose={onClose}
      title={t("review.bulkModal.title", { count: number(count) })}
      primaryAction={{
        content: t("review.bulkModal.confirm"),
        destructive: true,
        loading: busy,
        onAction: () => {
          setTried(true);
          if (!missing) onConfirm(note);
        },
      }}
      secondaryActions={[{ content: t("review.modal.cancel"), onAction: onClose }]}
    >
      <Modal.Section>
        <BlockStack gap="300">
          <Text as="p">{t("review.bulkModal.body")}</Text>
          <TextField
            label={t("review.modal.note")}
            value={note}
            onChange={setNote}
            autoComplete="off"
            maxLength={500}
            error={tried && missing ? t("review.modal.noteRequired") : undefined}
          />
        </BlockStack>
      </Modal.Section>
    </Modal>
  );
}
