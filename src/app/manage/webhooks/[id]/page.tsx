import type { Metadata } from "next";
import { getFormatter, getTranslations } from "next-intl/server";
import { ManagePageHeader } from "@/components/manage/page-header";
import { ReplayAction } from "@/components/manage/ops/actions";
import {
  BackToList,
  DetailColumns,
  ErrorText,
  Facts,
  JsonView,
  Mono,
  Panel,
  Pill,
  toneOf,
} from "@/components/manage/ops/ui";
import { getWebhookEvent } from "@/server/admin/webhook-inbox";
import { loadOr404 } from "@/server/admin/page-loader";
import { requirePageRole, STAFF_ROLES } from "@/server/auth/pages";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("manageOps.webhooks"))("title") };
}

/** One stored webhook event: its processing state, the payload as received, and a replay with a reason. */
export default async function WebhookEventPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const viewer = await requirePageRole(STAFF_ROLES, `/manage/webhooks/${id}`);
  const e = await loadOr404(id, (key) => getWebhookEvent(viewer, key));
  const [t, statusT, format] = await Promise.all([
    getTranslations("manageOps.webhooks"),
    getTranslations("manageOps.webhookStatus"),
    getFormatter(),
  ]);
  const when = (iso: string | null) =>
    iso ? format.dateTime(new Date(iso), { dateStyle: "medium", timeStyle: "medium" }) : "—";

  return (
    <>
      <ManagePageHeader
        title={e.type}
        description={`${e.provider} · ${e.eventId}`}
        actions={<BackToList href="/manage/webhooks" />}
      />
      <DetailColumns
        side={
          <>
            <Panel title={t("status")}>
              <Facts
                items={[
                  [
                    t("status"),
                    <Pill key="s" tone={toneOf(e.status)}>
                      {statusT.has(e.status) ? statusT(e.status as "processed") : e.status}
                    </Pill>,
                  ],
                  [t("outcome"), <Mono key="o" value={e.outcome} />],
                  [t("attempts"), e.attempts],
                  [t("received"), when(e.receivedAt)],
                  [t("processed"), when(e.processedAt)],
                  [t("lastError"), <ErrorText key="e" value={e.lastError} />],
                  [t("eventId"), <Mono key="i" value={e.eventId} />],
                  [t("requestId"), <Mono key="r" value={e.requestId} />],
                ]}
              />
            </Panel>
            <Panel title={t("replay")}>
              {e.provider === "stripe" ? (
                <ReplayAction id={e.id} />
              ) : (
                <p className="text-sm text-stone-600">{t("notStripe")}</p>
              )}
            </Panel>
          </>
        }
        main={
          <Panel title={t("payload")}>
            <JsonView value={e.payload} label={t("payload")} />
          </Panel>
        }
      />
    </>
  );
}
