import type { Metadata } from "next";
import { getFormatter, getTranslations } from "next-intl/server";
import { ManagePageHeader } from "@/components/manage/page-header";
import { ResendAction } from "@/components/manage/ops/actions";
import { MessageView } from "@/components/manage/ops/message-view";
import {
  BackToList,
  DetailColumns,
  ErrorText,
  Facts,
  JsonView,
  Mono,
  Panel,
  Pill,
  RowLink,
  toneOf,
} from "@/components/manage/ops/ui";
import { getNotification } from "@/server/admin/notifications-log";
import { loadOr404 } from "@/server/admin/page-loader";
import { requirePageRole, STAFF_ROLES } from "@/server/auth/pages";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("manageOps.notifications"))("title") };
}

/** One notification: what it is, how its sending went, the message as it went out, and a resend with a reason. */
export default async function NotificationPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const viewer = await requirePageRole(STAFF_ROLES, `/manage/notifications/${id}`);
  const n = await loadOr404(id, (key) => getNotification(viewer, key));
  const [t, statusT, kindT, channelT, format] = await Promise.all([
    getTranslations("manageOps.notifications"),
    getTranslations("manageOps.notificationStatus"),
    getTranslations("manageOps.kinds"),
    getTranslations("manageOps.channels"),
    getFormatter(),
  ]);
  const when = (iso: string | null) =>
    iso ? format.dateTime(new Date(iso), { dateStyle: "medium", timeStyle: "medium" }) : "—";
  const kind = kindT.has(n.kind) ? kindT(n.kind as "confirmed") : n.kind;

  return (
    <>
      <ManagePageHeader
        title={t("detailTitle", { kind, recipient: n.recipient })}
        actions={<BackToList href="/manage/notifications" />}
      />
      <DetailColumns
        side={
          <>
            <Panel title={t("status")}>
              <Facts
                items={[
                  [
                    t("status"),
                    <Pill key="s" tone={toneOf(n.status)}>
                      {statusT.has(n.status) ? statusT(n.status as "sent") : n.status}
                    </Pill>,
                  ],
                  [t("kind"), kind],
                  [t("channel"), channelT(n.channel === "sms" ? "sms" : "email")],
                  [
                    t("recipient"),
                    <span key="r" className="break-all">
                      {n.recipient}
                    </span>,
                  ],
                  [t("locale"), n.locale],
                  [
                    t("reservation"),
                    n.reservation ? (
                      <RowLink key="r" href={`/manage/reservations/${n.reservation.id}`} className="font-mono text-xs">
                        {n.reservation.code}
                      </RowLink>
                    ) : (
                      "—"
                    ),
                  ],
                  [t("created"), when(n.createdAt)],
                  [t("attempts"), n.attempts],
                  [t("nextAttempt"), n.status === "pending" ? when(n.nextAttemptAt) : "—"],
                  [t("sentAt"), when(n.sentAt)],
                  [t("lastError"), <ErrorText key="e" value={n.lastError} />],
                  [t("provider"), <Mono key="p" value={n.providerMessageId} />],
                  [t("requestId"), <Mono key="q" value={n.requestId} />],
                ]}
              />
            </Panel>
            <Panel title={t("resend")}>
              {n.kind === "sign_in_link" ? (
                <p className="text-sm text-stone-600">{t("noResendSignIn")}</p>
              ) : (
                <ResendAction id={n.id} />
              )}
              {n.resendOf ? (
                <p className="mt-3 text-sm">
                  {t("resendOf")}:{" "}
                  <RowLink href={`/manage/notifications/${n.resendOf}`} className="font-mono text-xs">
                    {n.resendOf.slice(0, 8)}
                  </RowLink>
                </p>
              ) : null}
              {n.resends.length > 0 ? (
                <div className="mt-3 text-sm">
                  <p className="font-semibold text-stone-700">{t("resends")}</p>
                  <ul>
                    {n.resends.map((r) => (
                      <li key={r.id} className="flex items-center gap-2">
                        <RowLink href={`/manage/notifications/${r.id}`} className="font-mono text-xs">
                          {r.id.slice(0, 8)}
                        </RowLink>
                        <Pill tone={toneOf(r.status)}>
                          {statusT.has(r.status) ? statusT(r.status as "sent") : r.status}
                        </Pill>
                        <span className="text-stone-600">{when(r.createdAt)}</span>
                      </li>
                    ))}
                  </ul>
                </div>
              ) : null}
            </Panel>
            <Panel title={t("payload")}>
              <JsonView value={n.payload} label={t("payload")} />
            </Panel>
          </>
        }
        main={
          <Panel title={t("message")}>
            {n.message ? (
              <MessageView message={n.message} />
            ) : (
              <p className="text-sm text-stone-600">{t("noMessage")}</p>
            )}
          </Panel>
        }
      />
    </>
  );
}
