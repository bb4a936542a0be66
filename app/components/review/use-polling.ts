import { useRevalidator } from "@remix-run/react";
import { useEffect } from "react";

export const POLL_MS = 1000;

/** While `active`, reloads the route's data every POLL_MS (a job of the worker is running). */
export function usePolling(active: boolean): void {
  const revalidator = useRevalidator();
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      if (revalidator.state === "idle") revalidator.revalidate();
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [active, revalidator]);
}
