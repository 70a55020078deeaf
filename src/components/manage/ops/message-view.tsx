import { useTranslations } from "next-intl";
import type { ParsedMessage } from "@/server/admin/notifications-log";
import { Facts } from "./ui";

/**
 * Keeps the stored HTML inert: the frame is sandboxed with no permissions (no scripts, forms, popups, navigation or
 * same-origin access) and its own policy blocks every network load except images, so viewing a message can neither
 * run code nor tell anyone it was opened.
 */
const FRAME_POLICY = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data: https:; style-src 'unsafe-inline'">`;

/** A notification as it went out: headers, plain text, the HTML in a sandboxed frame, attachment names. */
export function MessageView({ message }: { message: ParsedMessage }) {
  const t = useTranslations("manageOps.notifications");
  const headers = message.headers;
  return (
    <div className="space-y-5">
      {headers ? (
        <Facts
          items={[
            [t("subject"), headers.subject ?? "—"],
            [t("from"), headers.from ?? "—"],
            [t("to"), headers.to ?? "—"],
            [t("date"), headers.date ?? "—"],
          ]}
        />
      ) : null}
      {message.text !== undefined ? (
        <section>
          <h3 className="mb-2 text-sm font-semibold text-stone-700">{t("text")}</h3>
          <pre
            tabIndex={0}
            className="max-h-96 overflow-auto rounded-lg border border-stone-200 bg-stone-50 p-4 text-sm leading-6 whitespace-pre-wrap text-stone-900 focus-visible:outline-2 focus-visible:outline-brand-600"
          >
            {message.text}
          </pre>
        </section>
      ) : null}
      {message.html !== undefined ? (
        <section>
          <h3 className="mb-2 text-sm font-semibold text-stone-700">{t("html")}</h3>
          <iframe
            title={t("htmlFrame")}
            sandbox=""
            referrerPolicy="no-referrer"
            srcDoc={FRAME_POLICY + message.html}
            className="h-[36rem] w-full rounded-lg border border-stone-200 bg-white"
          />
        </section>
      ) : null}
      {message.attachments.length > 0 ? (
        <section>
          <h3 className="mb-2 text-sm font-semibold text-stone-700">{t("attachments")}</h3>
          <ul className="list-inside list-disc text-sm text-stone-800">
            {message.attachments.map((a, i) => (
              <li key={i}>
                <span className="font-mono">{a.filename}</span>{" "}
                <span className="text-stone-500">({a.contentType})</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}
