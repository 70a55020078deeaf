import type { Metadata } from "next";
import { getFormatter, getTranslations } from "next-intl/server";
import { ManagePageHeader } from "@/components/manage/page-header";
import { DateFilter, FilterForm, InvalidFilters, SelectFilter, TextFilter } from "@/components/manage/ops/filters";
import { flatParams, parseListParams, type SearchParams } from "@/server/admin/list-query";
import { Pager } from "@/components/manage/ops/pager";
import { Cell, DataTable, EmptyRow, Mono, Pill, RowLink, toneOf } from "@/components/manage/ops/ui";
import { notificationQuery, searchNotifications } from "@/server/admin/notifications-log";
import { requirePageRole, STAFF_ROLES } from "@/server/auth/pages";
import { notificationStatuses } from "@/server/db/schema";
import { notificationKinds } from "@/server/notifications/outbox";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("manageOps.notifications"))("title") };
}

const PATH = "/manage/notifications";

/** The notifications log: filters in the URL, server-side pages, a link to each message as it went out. */
export default async function NotificationsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const viewer = await requirePageRole(STAFF_ROLES, PATH);
  const params = flatParams(await searchParams);
  const { query, invalid } = parseListParams(notificationQuery, params);
  const [result, common, t, statusT, kindT, channelT, format] = await Promise.all([
    searchNotifications(viewer, query),
    getTranslations("manageOps.common"),
    getTranslations("manageOps.notifications"),
    getTranslations("manageOps.notificationStatus"),
    getTranslations("manageOps.kinds"),
    getTranslations("manageOps.channels"),
    getFormatter(),
  ]);
  const when = (iso: string) => format.dateTime(new Date(iso), { dateStyle: "short", timeStyle: "short" });
  const statusOptions = [
    ...notificationStatuses.map((s) => ({ value: s, label: statusT(s) })),
    { value: "failed,bounced", label: statusT("failedOrBounced") },
  ];

  return (
    <>
      <ManagePageHeader title={t("title")} description={t("description")} />
      <InvalidFilters fields={invalid} />
      <FilterForm action={PATH}>
        <SelectFilter name="status" label={t("status")} value={query.status?.join(",")} options={statusOptions} />
        <SelectFilter
          name="channel"
          label={t("channel")}
          value={query.channel}
          options={(["email", "sms"] as const).map((c) => ({ value: c, label: channelT(c) }))}
        />
        <SelectFilter
          name="kind"
          label={t("kind")}
          value={query.kind}
          options={notificationKinds.map((k) => ({ value: k, label: kindT(k) }))}
        />
        <TextFilter name="q" type="search" label={t("recipient")} hint={t("recipientHint")} value={query.q} />
        <DateFilter name="from" label={common("from")} value={query.from} />
        <DateFilter name="to" label={common("to")} value={query.to} />
        {query.reservationId ? <input type="hidden" name="reservationId" value={query.reservationId} /> : null}
      </FilterForm>
      <DataTable
        title={t("title")}
        head={[
          t("created"),
          t("kind"),
          t("channel"),
          t("recipient"),
          t("status"),
          t("attempts"),
          t("reservation"),
          t("lastError"),
          common("details"),
        ]}
      >
        {result.notifications.length === 0 ? <EmptyRow columns={9} /> : null}
        {result.notifications.map((n) => (
          <tr key={n.id}>
            <Cell className="whitespace-nowrap tabular-nums">{when(n.createdAt)}</Cell>
            <Cell>{kindT.has(n.kind) ? kindT(n.kind as "confirmed") : n.kind}</Cell>
            <Cell>{channelT(n.channel === "sms" ? "sms" : "email")}</Cell>
            <Cell className="max-w-64 break-all">{n.recipient}</Cell>
            <Cell>
              <Pill tone={toneOf(n.status)}>{statusT.has(n.status) ? statusT(n.status as "sent") : n.status}</Pill>
            </Cell>
            <Cell className="tabular-nums">{n.attempts}</Cell>
            <Cell>
              {n.reservation ? (
                <RowLink href={`/manage/reservations/${n.reservation.id}`} className="font-mono text-xs">
                  {n.reservation.code}
                </RowLink>
              ) : (
                <Mono value={null} />
              )}
            </Cell>
            <Cell className="max-w-72 truncate text-red-800">
              <span title={n.lastError ?? undefined}>{n.lastError ?? ""}</span>
            </Cell>
            <Cell>
              <RowLink href={`${PATH}/${n.id}`}>{common("details")}</RowLink>
            </Cell>
          </tr>
        ))}
      </DataTable>
      <Pager path={PATH} params={params} page={result.page} pageSize={result.pageSize} total={result.total} />
    </>
  );
}
