"use client";

import { useTranslations } from "next-intl";
import { useEffect, useRef, useState } from "react";
import { Notice } from "@/components/booking/notice";
import { Button } from "@/components/ui/button";
import { ActionProblem } from "./action-problem";
import { CancelForm, RefundForm, RescheduleForm, type RefundTarget } from "./action-forms";
import { MessageForm, type MessageRecipient } from "./message-form";
import { ReasonConfirm } from "@/components/manage/reason-confirm";
import { useAdminAction, type AdminAction } from "./use-admin-action";

export type ActionsData = {
  reservationId: string;
  locale: string;
  currency: string;
  quantity: number;
  /** Held or confirmed: can be cancelled or moved. */
  canChange: boolean;
  canNoShow: boolean;
  canAcceptLate: boolean;
  /** The captured payment with something left to refund, if any. */
  refund: RefundTarget | null;
  /** The current slot and the slots it can move to, already formatted in the business time zone. */
  currentSlot: string;
  slots: { id: string; label: string }[];
  /** Where a staff message goes: the reservation's email address and language (any status may be written to). */
  messageTo: MessageRecipient;
};

type Panel = "message" | "cancel" | "reschedule" | "refund" | "noShow" | "acceptLate";

const PATH: Record<Panel, AdminAction> = {
  message: "notify",
  cancel: "cancel",
  reschedule: "reschedule",
  refund: "refund",
  noShow: "no-show",
  acceptLate: "accept-late-payment",
};

/**
 * The staff actions for one reservation. Each button opens its confirmation step (what will happen, the choices, a
 * required reason; a message is written first, then checked); one step is open at a time. After a success the page
 * refreshes from the server and a short message says what was done; focus returns to the button that opened the step.
 */
export function ReservationActions({ data }: { data: ActionsData }) {
  const t = useTranslations("manageReservations.actions");
  const { run, busy, problem, clearProblem } = useAdminAction(data.reservationId);
  const [open, setOpen] = useState<Panel | null>(null);
  const [done, setDone] = useState<Panel | null>(null);
  const buttons = useRef<Partial<Record<Panel, HTMLButtonElement | null>>>({});
  const lastOpened = useRef<Panel | null>(null);

  useEffect(() => {
    if (open === null && lastOpened.current) buttons.current[lastOpened.current]?.focus();
  }, [open]);

  const available: [Panel, string, boolean][] = [
    ["reschedule", t("reschedule"), data.canChange],
    ["refund", t("refund"), data.refund !== null],
    ["noShow", t("noShow"), data.canNoShow],
    ["acceptLate", t("acceptLate"), data.canAcceptLate],
    ["message", t("message"), true],
    ["cancel", t("cancel"), data.canChange],
  ];
  const shown = available.filter(([, , on]) => on);
  const close = () => {
    clearProblem();
    setOpen(null);
  };
  const submit = (panel: Panel) => async (body: object) => {
    if (await run(PATH[panel], body)) {
      setDone(panel);
      setOpen(null);
    }
  };
  const common = {
    locale: data.locale,
    currency: data.currency,
    busy,
    problem: problem ? <ActionProblem problem={problem} /> : null,
    onBack: close,
  };

  return (
    <div>
      {done ? (
        <Notice tone="success" role="status" className="mb-3">
          {t(`done.${done}`)}
        </Notice>
      ) : null}
      <div className="flex flex-wrap gap-2">
        {shown.map(([panel, label]) => (
          <Button
            key={panel}
            ref={(el) => {
              buttons.current[panel] = el;
            }}
            type="button"
            variant="secondary"
            aria-expanded={open === panel}
            className={panel === "cancel" ? "text-red-800 ring-red-300 hover:bg-red-50" : undefined}
            onClick={() => {
              clearProblem();
              setDone(null);
              lastOpened.current = panel;
              setOpen(open === panel ? null : panel);
            }}
          >
            {label}
          </Button>
        ))}
      </div>
      {open === "cancel" ? (
        <CancelForm {...common} quantity={data.quantity} refund={data.refund} onSubmit={submit("cancel")} />
      ) : null}
      {open === "reschedule" ? (
        <RescheduleForm
          {...common}
          current={data.currentSlot}
          quantity={data.quantity}
          slots={data.slots}
          onSubmit={submit("reschedule")}
        />
      ) : null}
      {open === "message" ? (
        <MessageForm
          to={data.messageTo}
          busy={busy}
          problem={common.problem}
          onBack={close}
          onEdit={clearProblem}
          onSubmit={(body) => void submit("message")(body)}
        />
      ) : null}
      {open === "refund" && data.refund ? (
        <RefundForm {...common} refund={data.refund} onSubmit={submit("refund")} />
      ) : null}
      {open === "noShow" ? (
        <ReasonConfirm
          title={t("noShowTitle")}
          confirmLabel={t("noShowConfirm")}
          destructive
          {...common}
          onConfirm={(reason) => void submit("noShow")({ reason })}
        >
          <p>{t("noShowBody")}</p>
        </ReasonConfirm>
      ) : null}
      {open === "acceptLate" ? (
        <ReasonConfirm
          title={t("acceptLateTitle")}
          confirmLabel={t("acceptLateConfirm")}
          {...common}
          onConfirm={(reason) => void submit("acceptLate")({ reason })}
        >
          <p>{t("acceptLateBody")}</p>
        </ReasonConfirm>
      ) : null}
    </div>
  );
}
