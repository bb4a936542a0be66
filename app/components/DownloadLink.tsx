import { useState, type MouseEvent, type ReactNode } from "react";

/**
 * A file download from an admin resource route. Fetched rather than followed: inside Shopify's
 * admin, App Bridge adds the session token to the app's own fetch requests, which a plain link
 * navigation would not carry. Without JavaScript the href still works (demo mode).
 */
export function DownloadLink({ url, fileName, children, failed }: { url: string; fileName: string; children: ReactNode; failed: string }) {
  const [error, setError] = useState(false);
  async function onClick(event: MouseEvent<HTMLAnchorElement>) {
    event.preventDefault();
    setError(false);
    try {
      const res = await fetch(url);
      if (!res.ok) throw new Error(String(res.status));
      const blob = URL.createObjectURL(await res.blob());
      const a = document.createElement("a");
      a.href = blob;
      a.download = fileName;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(blob), 10_000);
    } catch {
      setError(true);
    }
  }
  return (
    <>
      <a href={url} download={fileName} onClick={onClick} style={{ color: "var(--p-color-text-link)" }}>
        {children}
      </a>
      {error && <span style={{ color: "var(--p-color-text-critical)" }}> {failed}</span>}
    </>
  );
}
