/** Small hooks the alarm pages share: a clock that ticks, and messages from the service worker. */

import { useEffect, useState } from "preact/hooks";

export function useTicker(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

/** Called when the worker shows a push or settles an outbox operation. */
export function useWorkerMessages(onMessage: (data: { type?: string }) => void): void {
  useEffect(() => {
    const sw = typeof navigator !== "undefined" ? navigator.serviceWorker : undefined;
    if (!sw) return;
    const listener = (event: MessageEvent) => {
      const data = event.data as { type?: string } | null;
      if (data?.type === "PUSH" || data?.type === "OUTBOX") onMessage(data);
    };
    sw.addEventListener("message", listener);
    return () => sw.removeEventListener("message", listener);
  }, [onMessage]);
}
