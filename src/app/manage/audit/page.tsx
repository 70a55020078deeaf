import type { Metadata } from "next";
import { getFormatter, getTranslations } from "next-intl/server";
import { ManagePageHeader } from "@/components/manage/page-header";
import { AuditDiff } from "@/components/manage/ops/audit-diff";
import { DateFilter, FilterForm, InvalidFilters, TextFilter } from "@/components/manage/ops/filters";
import { flatParams, hrefWith, parseListParams, type SearchParams } from "@/server/admin/list-query";
import { CursorPager } from "@/components/manage/ops/pager";
import { Cell, DataTable, EmptyRow, Mono, RowLink } from "@/components/manage/ops/ui";
import { auditQuery, searchAudit } from "@/server/admin/audit-log";
import { requirePageRole, STAFF_ROLES } from "@/server/auth/pages";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("manageOps.audit"))("title") };
}

const PATH = "/manage/audit";

/** Where an entity's own screen is, for the entity types that have one. */
const SCREENS: Record<string, string> = {
  reservation: "/manage/reservations/",
  notification: "/manage/notifications/",
  webhook_event: "/manage/webhooks/",
};

/** The audit log: read-only, newest first, filtered by who, what, which entity and when; keyset pages. */
export default async function AuditPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const viewer = await requirePageRole(STAFF_ROLES, PATH);
  const params = flatParams(await searchParams);
  const { query, invalid } = parseListParams(auditQuery, params);
  const [page, t, common, format] = await Promise.all([
    searchAudit(viewer, query),
    getTranslations("manageOps.audit"),
    getTranslations("manageOps.common"),
    getFormatter(),
  ]);
  const when = (iso: string) => format.dateTime(new Date(iso), { dateStyle: "short", timeStyle: "medium" });
  const filterLink = (patch: Record<string, string>) => hrefWith(PATH, {}, patch);

  return (
    <>
      <ManagePageHeader title={t("title")} description={t("description")} />
      <InvalidFilters fields={invalid} />
      <FilterForm action={PATH}>
        <TextFilter name="actor" label={t("actor")} hint={t("actorHint")} value={query.actor} />
        <TextFilter name="action" label={t("action")} hint={t("actionHint")} value={query.action} />
        <TextFilter name="entityType" label={t("entityType")} value={query.entityType} />
        <TextFilter name="entityId" label={t("entityId")} value={query.entityId} />
        <DateFilter name="from" label={common("from")} value={query.from} />
        <DateFilter name="to" label={common("to")} value={query.to} />
      </FilterForm>
      <DataTable
        title={t("title")}
        head={[t("when"), t("actor"), t("action"), t("entity"), t("change"), t("reason"), t("request")]}
      >
        {page.entries.length === 0 ? <EmptyRow columns={7} /> : null}
        {page.entries.map((e) => (
          <tr key={e.id}>
            <Cell className="whitespace-nowrap tabular-nums">{when(e.occurredAt)}</Cell>
            <Cell className="max-w-56">
              <RowLink href={filterLink({ actor: e.actor.id ?? e.actor.role })} className="break-all">
                {e.actor.email ?? e.actor.role}
              </RowLink>
              {e.actor.email ? <div className="text-xs text-stone-500">{e.actor.role}</div> : null}
            </Cell>
            <Cell mono>
              <RowLink href={filterLink({ action: e.action })}>{e.action}</RowLink>
            </Cell>
            <Cell>
              <div className="text-xs text-stone-500">{e.entityType}</div>
              <RowLink
                href={filterLink({ entityType: e.entityType, entityId: e.entityId })}
                className="font-mono text-xs"
              >
                {e.entityId.length > 14 ? `${e.entityId.slice(0, 12)}…` : e.entityId}
              </RowLink>
              {SCREENS[e.entityType] ? (
                <RowLink href={`${SCREENS[e.entityType]}${encodeURIComponent(e.entityId)}`} className="ml-2 text-xs">
                  {common("details")}
                </RowLink>
              ) : null}
            </Cell>
            <Cell className="max-w-96 min-w-56">
              <AuditDiff before={e.before} after={e.after} />
            </Cell>
            <Cell className="max-w-64 break-words">{e.reason ?? "—"}</Cell>
            <Cell>
              <Mono value={e.requestId} short />
              <div>
                <Mono value={e.ip} />
              </div>
            </Cell>
          </tr>
        ))}
      </DataTable>
      <CursorPager path={PATH} params={params} newer={page.newer} older={page.older} />
    </>
  );
}
