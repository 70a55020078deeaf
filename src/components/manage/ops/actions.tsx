"use client";

import { useTranslations } from "next-intl";
import { ReasonAction } from "./reason-action";

/**
 * The operator actions of the operations screens, each a ReasonAction bound to its endpoint and wording (client
 * components: the server pages pass only ids and labels).
 */

export function ResendAction({ id }: { id: string }) {
  const t = useTranslations("manageOps.notifications");
  return (
    <ReasonAction
      endpoint={`/api/admin/notifications/${encodeURIComponent(id)}/resend`}
      label={t("resend")}
      question={t("resendQuestion")}
      confirmLabel={t("resendConfirm")}
      describe={() => t("resent")}
    />
  );
}

type Replay = {
  replay: { outcome: string; before: { status: string }; after: { status: string; lastError: string | null } };
};

export function ReplayAction({ id }: { id: string }) {
  const t = useTranslations("manageOps.webhooks");
  return (
    <ReasonAction
      endpoint={`/api/admin/webhooks/${encodeURIComponent(id)}/replay`}
      label={t("replay")}
      question={t("replayQuestion")}
      confirmLabel={t("replayConfirm")}
      describe={(data) => {
        const { replay } = data as Replay;
        return replay.outcome === "failed"
          ? t("replayFailed", { error: replay.after.lastError ?? "" })
          : t("replayed", { outcome: replay.outcome, before: replay.before.status, after: replay.after.status });
      }}
    />
  );
}

type Change = { change: { email: string | null; after: string; changed: boolean } };
const ROLES = ["admin", "staff", "user"] as const;

/** Change role (a choice of the three) and, for staff and admins, revoke (back to user). */
export function RoleActions({ userId, email, role }: { userId: string; email: string; role: (typeof ROLES)[number] }) {
  const t = useTranslations("manageOps.users");
  const roles = useTranslations("manageOps.roles");
  const describe = (data: unknown) => {
    const { change } = data as Change;
    const after = ROLES.find((r) => r === change.after) ?? "user";
    return change.changed ? t("changed", { email, role: roles(after) }) : t("unchanged", { email });
  };
  const base = `/api/admin/users/${encodeURIComponent(userId)}`;
  return (
    <div className="flex flex-wrap items-start gap-2">
      <ReasonAction
        endpoint={`${base}/role`}
        label={t("change")}
        question={t("changeQuestion", { email })}
        confirmLabel={t("changeConfirm")}
        choice={{
          name: "role",
          label: t("newRole"),
          initial: role,
          options: ROLES.map((r) => ({ value: r, label: roles(r) })),
        }}
        describe={describe}
        conflict={t("lastAdmin")}
      />
      {role !== "user" ? (
        <ReasonAction
          endpoint={`${base}/revoke`}
          label={t("revoke")}
          question={t("revokeQuestion", { email, role: roles(role) })}
          confirmLabel={t("revokeConfirm")}
          destructive
          describe={describe}
          conflict={t("lastAdmin")}
        />
      ) : null}
    </div>
  );
}
