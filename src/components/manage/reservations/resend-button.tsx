"use client";

import { useTranslations } from "next-intl";
import { useState } from "react";
import { Notice } from "@/components/booking/notice";
import { Button } from "@/components/ui/button";
import { ActionProblem } from "./action-problem";
import { ReasonConfirm } from "@/components/manage/reason-confirm";
import { useAdminAction } from "./use-admin-action";

/** "Resend" on one notification row: a confirmation step with a reason, then a new outbox row for the same message. */
export function ResendButton({
  reservationId,
  notification,
}: {
  reservationId: string;
  notification: { id: string; kind: string; channel: string; recipient: string };
}) {
  const t = useTranslations("manageReservations.actions");
  const { run, busy, problem, clearProblem } = useAdminAction(reservationId);
  const [open, setOpen] = useState(false);
  const [sent, setSent] = useState(false);
  return (
    <div>
      {sent ? (
        <Notice tone="success" role="status" className="mt-2 p-2">
          {t("done.resend")}
        </Notice>
      ) : null}
      {open ? (
        <ReasonConfirm
          title={t("resendTitle")}
          confirmLabel={t("resendConfirm")}
          busy={busy}
          problem={problem ? <ActionProblem problem={problem} /> : null}
          onBack={() => {
            clearProblem();
            setOpen(false);
          }}
          onConfirm={async (reason) => {
            if (await run("notify", { type: "resend", notificationId: notification.id, reason })) {
              setSent(true);
              setOpen(false);
            }
          }}
        >
          <p>
            {t("resendBody", {
              kind: notification.kind,
              channel: notification.channel,
              recipient: notification.recipient,
            })}
          </p>
        </ReasonConfirm>
      ) : (
        <Button type="button" variant="secondary" className="mt-2" onClick={() => (setSent(false), setOpen(true))}>
          {t("resend")}
        </Button>
      )}
    </div>
  );
}
