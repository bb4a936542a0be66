import { BlockStack, Box, DropZone, InlineStack, ProgressBar, Spinner, Text } from "@shopify/polaris";
import { useCallback, useEffect, useRef, useState } from "react";
import type { UploadOutcome } from "../../services/admin/upload.server";
import { useI18n } from "../../i18n/react";

type Phase =
  | { phase: "idle" }
  | { phase: "sending"; fileName: string; loaded: number; total: number }
  | { phase: "checking"; fileName: string }
  | { phase: "failed" };

/** The session token App Bridge gives the embedded admin (absent in the local demo, where none is needed). */
async function sessionToken(): Promise<string | null> {
  const bridge = (globalThis as { shopify?: { idToken?: () => Promise<string> } }).shopify;
  try {
    return (await bridge?.idToken?.()) ?? null;
  } catch {
    return null;
  }
}

/**
 * The export's drop zone. The file is posted with XMLHttpRequest — the one browser API that reports
 * upload progress — to the upload resource route, which answers JSON; the bar shows the bytes sent,
 * then a spinner while the server reads and checks every row. Inside Shopify's admin, App Bridge
 * adds the session token only to fetch(), so it is added here by hand.
 */
export function UploadDropZone({
  url,
  fields,
  disabled,
  idleNote,
  onResult,
}: {
  url: string;
  fields: Record<string, string>;
  disabled: boolean;
  /** Said under the zone when nothing is being sent (e.g. that no file is uploaded yet). */
  idleNote?: string;
  onResult: (result: UploadOutcome) => void;
}) {
  const { t, number } = useI18n();
  const [state, setState] = useState<Phase>({ phase: "idle" });
  const request = useRef<XMLHttpRequest | null>(null);
  useEffect(() => () => request.current?.abort(), []);

  const send = useCallback(
    async (file: File) => {
      const form = new FormData();
      for (const [k, v] of Object.entries(fields)) form.set(k, v);
      form.set("file", file, file.name);
      setState({ phase: "sending", fileName: file.name, loaded: 0, total: file.size });
      const token = await sessionToken();
      const xhr = new XMLHttpRequest();
      request.current = xhr;
      xhr.open("POST", url);
      xhr.responseType = "json";
      xhr.setRequestHeader("Accept", "application/json");
      if (token) xhr.setRequestHeader("Authorization", `Bearer ${token}`);
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable) setState({ phase: "sending", fileName: file.name, loaded: event.loaded, total: event.total });
      };
      xhr.upload.onload = () => setState({ phase: "checking", fileName: file.name });
      xhr.onload = () => {
        request.current = null;
        const body = xhr.response as UploadOutcome | null;
        if ((xhr.status === 200 || xhr.status === 404) && body && typeof body === "object" && "outcome" in body) {
          setState({ phase: "idle" });
          onResult(body);
        } else setState({ phase: "failed" });
      };
      xhr.onerror = () => {
        request.current = null;
        setState({ phase: "failed" });
      };
      xhr.send(form);
    },
    [fields, url, onResult],
  );

  const busy = state.phase === "sending" || state.phase === "checking";
  const onDrop = useCallback(
    (_all: File[], accepted: File[]) => {
      const file = accepted[0];
      if (file && !busy) void send(file);
    },
    [send, busy],
  );
  const size = (bytes: number) =>
    bytes >= 1024 * 1024 ? t("uploadStep.mb", { value: number(Math.round((bytes / 1024 / 1024) * 10) / 10) }) : t("uploadStep.kb", { value: number(Math.max(1, Math.round(bytes / 1024))) });

  return (
    <BlockStack gap="200">
      <DropZone
        label={t("upload.heading")}
        labelHidden
        accept=".csv,.txt,.tsv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        allowMultiple={false}
        disabled={disabled}
        // While a file is on its way the zone shows its progress (not greyed out) and opens no dialog.
        onClick={busy ? () => undefined : undefined}
        onDrop={onDrop}
      >
        {busy ? (
          <Box padding="600">
            {state.phase === "sending" ? (
              <BlockStack gap="200">
                <Text as="p" alignment="center">
                  {t("uploadStep.sending", { file: state.fileName })}
                </Text>
                <div data-testid="upload-progress" data-percent={percentOf(state)}>
                  <ProgressBar progress={percentOf(state)} size="small" animated={false} />
                </div>
                <Text as="p" alignment="center" tone="subdued">
                  <span data-testid="upload-progress-text">
                    {t("uploadStep.progress", { sent: size(state.loaded), total: size(state.total), percent: number(percentOf(state)) })}
                  </span>
                </Text>
              </BlockStack>
            ) : (
              <InlineStack gap="200" align="center" blockAlign="center">
                <Spinner size="small" />
                <Text as="span" data-testid="uploading">
                  {t("upload.uploading")}
                </Text>
              </InlineStack>
            )}
          </Box>
        ) : (
          <DropZone.FileUpload actionTitle={t("upload.choose")} actionHint={t("upload.drop")} />
        )}
      </DropZone>
      {idleNote && !busy && (
        <Text as="p" tone="subdued">
          {idleNote}
        </Text>
      )}
      {state.phase === "failed" && (
        <Text as="p" tone="critical">
          {t("uploadStep.sendFailed")}
        </Text>
      )}
    </BlockStack>
  );
}

function percentOf(state: { loaded: number; total: number }): number {
  return state.total > 0 ? Math.min(100, Math.floor((state.loaded / state.total) * 100)) : 0;
}
