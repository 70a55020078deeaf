import { render } from "@react-email/components";
import { createElement, type ComponentType } from "react";
import type { NotificationKind } from "../outbox";
import type { RenderedEmail, TemplateInput } from "../types";
import { contextFor, type TemplateContext } from "./context";
import { textFromContent, type EmailContent } from "./content";
import { CancellationEmail, cancellation } from "./kinds/cancellation";
import { ConfirmationEmail, confirmation } from "./kinds/confirmation";
import { LatePaymentRefundEmail, latePaymentRefund } from "./kinds/late-payment-refund";
import { PaymentFailedEmail, paymentFailed } from "./kinds/payment-failed";
import { RefundEmail, refund } from "./kinds/refund";
import { ReminderEmail, reminder } from "./kinds/reminder";
import { RescheduleEmail, reschedule } from "./kinds/reschedule";
import { SignInLinkEmail, signInLink } from "./kinds/sign-in-link";
import { StaffAlertEmail, staffAlert } from "./kinds/staff-alert";
import { StaffMessageEmail, staffMessage } from "./kinds/staff-message";
import type { EmailProps } from "./layout";

/**
 * Email and SMS templates, one per notification kind, in Japanese and English (input.locale, falling back to
 * Japanese). Pure: the output depends only on the TemplateInput (links come from input.links, built by the
 * dispatcher from APP_BASE_URL), so a retry renders the same message and previews show exactly what is sent.
 */
type Template = { compose: (ctx: TemplateContext) => EmailContent; Component: ComponentType<EmailProps> };

const templates: Record<NotificationKind, Template> = {
  confirmed: { compose: confirmation, Component: ConfirmationEmail },
  cancelled: { compose: cancellation, Component: CancellationEmail },
  rescheduled: { compose: reschedule, Component: RescheduleEmail },
  payment_failed: { compose: paymentFailed, Component: PaymentFailedEmail },
  refunded: { compose: refund, Component: RefundEmail },
  late_payment_refund: { compose: latePaymentRefund, Component: LatePaymentRefundEmail },
  reminder: { compose: reminder, Component: ReminderEmail },
  sign_in_link: { compose: signInLink, Component: SignInLinkEmail },
  staff_alert: { compose: staffAlert, Component: StaffAlertEmail },
  staff_message: { compose: staffMessage, Component: StaffMessageEmail },
};

function templateFor(kind: string): Template {
  if (!Object.hasOwn(templates, kind)) throw new Error(`No email template for notification kind "${kind}"`);
  return templates[kind as NotificationKind];
}

export async function renderEmail(input: TemplateInput): Promise<RenderedEmail> {
  const { compose, Component } = templateFor(input.kind);
  const ctx = contextFor(input);
  const content = compose(ctx);
  const html = await render(createElement(Component, { input }));
  // A subject is one header line whatever the payload held (a staff alert's kind, a service name).
  const subject = content.subject.replace(/\s+/g, " ").trim();
  return { subject, html, text: textFromContent(ctx, content), attachments: content.attachments };
}

export { renderSmsText } from "./sms";
export { resolveLocale } from "./context";
