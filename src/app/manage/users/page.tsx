import type { Metadata } from "next";
import { getFormatter, getTranslations } from "next-intl/server";
import { Notice } from "@/components/booking/notice";
import { ManagePageHeader } from "@/components/manage/page-header";
import { RoleActions } from "@/components/manage/ops/actions";
import { FilterForm, InvalidFilters, SelectFilter, TextFilter } from "@/components/manage/ops/filters";
import { InviteForm } from "@/components/manage/ops/invite-form";
import { flatParams, parseListParams, type SearchParams } from "@/server/admin/list-query";
import { Pager } from "@/components/manage/ops/pager";
import { Cell, DataTable, EmptyRow, Panel, Pill, toneOf } from "@/components/manage/ops/ui";
import { listUsers, userQuery } from "@/server/admin/users";
import { requirePageRole } from "@/server/auth/pages";
import { appRoles } from "@/server/db/schema";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("manageOps.users"))("title"), robots: { index: false } };
}

const PATH = "/manage/users";

/** Users and roles, for admins only (staff get /forbidden): search, add a staff member, change or revoke roles. */
export default async function UsersPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const viewer = await requirePageRole(["admin"], PATH);
  const params = flatParams(await searchParams);
  const { query, invalid } = parseListParams(userQuery, params);
  const [result, t, roleT, format] = await Promise.all([
    listUsers(viewer, query),
    getTranslations("manageOps.users"),
    getTranslations("manageOps.roles"),
    getFormatter(),
  ]);
  const when = (iso: string | null) =>
    iso ? format.dateTime(new Date(iso), { dateStyle: "medium", timeStyle: "short" }) : t("never");

  return (
    <>
      <ManagePageHeader title={t("title")} description={t("description")} />
      <Notice tone="info" className="mb-4">
        {t("refreshNote")}
      </Notice>
      <Panel title={t("invite")} className="mb-4">
        <InviteForm />
      </Panel>
      <InvalidFilters fields={invalid} />
      <FilterForm action={PATH}>
        <TextFilter name="q" type="search" label={t("search")} value={query.q} />
        <SelectFilter
          name="role"
          label={t("role")}
          value={query.role}
          options={appRoles.map((r) => ({ value: r, label: roleT(r) }))}
        />
      </FilterForm>
      <DataTable
        title={t("title")}
        head={[t("email"), t("role"), t("grantedBy"), t("since"), t("lastSignIn"), t("actions")]}
      >
        {result.users.length === 0 ? <EmptyRow columns={6} /> : null}
        {result.users.map((u) => (
          <tr key={u.id}>
            <Cell className="max-w-72 break-all">
              {u.email ?? u.id}
              {u.id === viewer.userId ? <span className="ml-2 text-xs text-stone-500">({t("you")})</span> : null}
            </Cell>
            <Cell>
              <Pill tone={toneOf(u.role)}>{roleT(u.role)}</Pill>
            </Cell>
            <Cell className="max-w-56 break-all">{u.grantedBy ? (u.grantedBy.email ?? u.grantedBy.id) : "—"}</Cell>
            <Cell className="whitespace-nowrap">{u.roleSince ? when(u.roleSince) : "—"}</Cell>
            <Cell className="whitespace-nowrap">{when(u.lastSignInAt)}</Cell>
            <Cell className="min-w-72">
              <RoleActions userId={u.id} email={u.email ?? u.id} role={u.role} />
            </Cell>
          </tr>
        ))}
      </DataTable>
      <Pager path={PATH} params={params} page={result.page} pageSize={result.pageSize} total={result.total} />
    </>
  );
}
