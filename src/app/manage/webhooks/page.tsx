import type { Metadata } from "next";
import { getFormatter, getTranslations } from "next-intl/server";
import { ManagePageHeader } from "@/components/manage/page-header";
import { DateFilter, FilterForm, InvalidFilters, SelectFilter, TextFilter } from "@/components/manage/ops/filters";
import { flatParams, parseListParams, type SearchParams } from "@/server/admin/list-query";
import { Pager } from "@/components/manage/ops/pager";
import { Cell, DataTable, EmptyRow, Mono, Pill, RowLink, toneOf } from "@/components/manage/ops/ui";
import { searchWebhookEvents, webhookQuery, webhookStatuses } from "@/server/admin/webhook-inbox";
import { requirePageRole, STAFF_ROLES } from "@/server/auth/pages";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("manageOps.webhooks"))("title") };
}

const PATH = "/manage/webhooks";
const PROVIDERS = ["stripe", "email", "postmark"];

/** The webhook inbox: every stored provider event, filtered and paged, each with its payload and a replay. */
export default async function WebhooksPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const viewer = await requirePageRole(STAFF_ROLES, PATH);
  const params = flatParams(await searchParams);
  const { query, invalid } = parseListParams(webhookQuery, params);
  const [result, t, common, statusT, format] = await Promise.all([
    searchWebhookEvents(viewer, query),
    getTranslations("manageOps.webhooks"),
    getTranslations("manageOps.common"),
    getTranslations("manageOps.webhookStatus"),
    getFormatter(),
  ]);
  const when = (iso: string) => format.dateTime(new Date(iso), { dateStyle: "short", timeStyle: "medium" });

  return (
    <>
      <ManagePageHeader title={t("title")} description={t("description")} />
      <InvalidFilters fields={invalid} />
      <FilterForm action={PATH}>
        <SelectFilter
          name="provider"
          label={t("provider")}
          value={query.provider}
          options={PROVIDERS.map((p) => ({ value: p, label: p }))}
        />
        <TextFilter name="type" label={t("type")} hint={t("typeHint")} value={query.type} />
        <SelectFilter
          name="status"
          label={t("status")}
          value={query.status?.join(",")}
          options={webhookStatuses.map((s) => ({ value: s, label: statusT(s) }))}
        />
        <TextFilter name="q" type="search" label={t("eventId")} value={query.q} />
        <DateFilter name="from" label={common("from")} value={query.from} />
        <DateFilter name="to" label={common("to")} value={query.to} />
      </FilterForm>
      <DataTable
        title={t("title")}
        head={[
          t("received"),
          t("provider"),
          t("type"),
          t("status"),
          t("outcome"),
          t("attempts"),
          t("eventId"),
          common("details"),
        ]}
      >
        {result.events.length === 0 ? <EmptyRow columns={8} /> : null}
        {result.events.map((e) => (
          <tr key={e.id}>
            <Cell className="whitespace-nowrap tabular-nums">{when(e.receivedAt)}</Cell>
            <Cell>{e.provider}</Cell>
            <Cell mono>{e.type}</Cell>
            <Cell>
              <Pill tone={toneOf(e.status)}>{statusT.has(e.status) ? statusT(e.status as "processed") : e.status}</Pill>
            </Cell>
            <Cell mono>
              <span title={e.lastError ?? undefined}>
                {e.outcome ?? (e.lastError ? e.lastError.slice(0, 60) : "—")}
              </span>
            </Cell>
            <Cell className="tabular-nums">{e.attempts}</Cell>
            <Cell>
              <Mono value={e.eventId} short />
            </Cell>
            <Cell>
              <RowLink href={`${PATH}/${e.id}`}>{common("details")}</RowLink>
            </Cell>
          </tr>
        ))}
      </DataTable>
      <Pager path={PATH} params={params} page={result.page} pageSize={result.pageSize} total={result.total} />
    </>
  );
}
