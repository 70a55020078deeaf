import type { Metadata } from "next";
import { getLocale, getTranslations } from "next-intl/server";
import { Notice } from "@/components/booking/notice";
import { ManagePageHeader } from "@/components/manage/page-header";
import { BackToCalendar } from "@/components/manage/slots/back-to-calendar";
import { GenerateForm } from "@/components/manage/slots/generate-form";
import { RuleActions } from "@/components/manage/slots/rule-actions";
import { RuleCreateForm } from "@/components/manage/slots/rule-create-form";
import { serviceName } from "@/components/manage/slots/slot-chip";
import { Card } from "@/components/ui/card";
import { cn } from "@/lib/cn";
import { requirePageRole, STAFF_ROLES } from "@/server/auth/pages";
import { listSlotRules, listStaffServices } from "@/server/admin/slots";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("manageSlots");
  return { title: t("meta.rules") };
}

/** Weekly rules: the list with pause/resume/delete, a form for new rules and "generate now". Read under RLS. */
export default async function SlotRulesPage() {
  const viewer = await requirePageRole(STAFF_ROLES, "/manage/slots/rules");
  const t = await getTranslations("manageSlots");
  const locale = await getLocale();
  const [rules, services] = await Promise.all([listSlotRules(viewer, {}), listStaffServices(viewer)]);
  const options = services.map((s) => ({
    id: s.id,
    name: serviceName(s, locale),
    defaultCapacity: s.defaultCapacity,
    durationMinutes: s.durationMinutes,
    active: s.active,
  }));
  const defaults = new Map(services.map((s) => [s.id, s.defaultCapacity]));

  return (
    <>
      <ManagePageHeader title={t("rules.title")} description={t("rules.description")} actions={<BackToCalendar />} />
      <section aria-labelledby="rules-list" className="mb-8">
        <h2 id="rules-list" className="mb-3 text-lg font-bold text-stone-900">
          {t("rules.listHeading")}
        </h2>
        {rules.length === 0 ? (
          <Notice>{t("rules.empty")}</Notice>
        ) : (
          <div className="overflow-x-auto rounded-xl border border-stone-200 bg-white">
            <table className="w-full min-w-[48rem] text-left text-sm">
              <thead className="bg-stone-50 text-xs text-stone-600">
                <tr>
                  {(["service", "weekday", "time", "capacity", "period", "state", "actions"] as const).map((c) => (
                    <th key={c} scope="col" className="px-3 py-2 font-semibold">
                      {t(`rules.columns.${c}`)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rules.map((rule) => {
                  const weekday = t(`weekdays.${rule.weekday}` as "weekdays.1");
                  const name = serviceName(rule.service, locale);
                  return (
                    <tr
                      key={rule.id}
                      className={cn("border-t border-stone-100 align-top", !rule.active && "text-stone-500")}
                    >
                      <td className="px-3 py-2 font-medium">{name}</td>
                      <td className="px-3 py-2">{weekday}</td>
                      <td className="px-3 py-2">
                        {rule.startTime}
                        {rule.timezone !== "Asia/Tokyo" ? <span className="block text-xs">{rule.timezone}</span> : null}
                      </td>
                      <td className="px-3 py-2">
                        {rule.capacity ?? t("rules.defaultCapacity", { capacity: defaults.get(rule.service.id) ?? 0 })}
                      </td>
                      <td className="px-3 py-2">
                        {rule.validFrom || rule.validUntil
                          ? `${rule.validFrom ?? "…"} – ${rule.validUntil ?? "…"}`
                          : t("rules.always")}
                      </td>
                      <td className="px-3 py-2">{rule.active ? t("rules.active") : t("rules.paused")}</td>
                      <td className="px-3 py-2">
                        <RuleActions
                          rule={{ id: rule.id, active: rule.active, label: `${name} ${weekday} ${rule.startTime}` }}
                        />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <div className="grid gap-6 lg:grid-cols-2">
        <Card className="p-5 sm:p-6">
          <h2 className="mb-1 text-lg font-bold text-stone-900">{t("ruleForm.heading")}</h2>
          <p className="mb-4 text-sm text-stone-600">{t("ruleForm.description")}</p>
          {options.length === 0 ? (
            <Notice tone="warning">{t("create.noServices")}</Notice>
          ) : (
            <RuleCreateForm services={options} />
          )}
        </Card>
        <Card className="p-5 sm:p-6">
          <h2 className="mb-1 text-lg font-bold text-stone-900">{t("generate.heading")}</h2>
          <p className="mb-4 text-sm text-stone-600">{t("generate.description")}</p>
          <GenerateForm services={options.map((s) => ({ id: s.id, name: s.name }))} />
        </Card>
      </div>
    </>
  );
}
