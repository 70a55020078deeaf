/**
 * Notifications, the entry point. Every notification is an outbox row written in the transaction of the change that
 * causes it (enqueueNotification); the dispatcher sends due rows through one composer (templates/) and one path per
 * channel (email.ts: nodemailer to SMTP or dry run; sms/: Twilio or dry run), with retries, suppression and a record
 * of what went out. docs/notifications.md.
 */
export {
  enqueueNotification,
  reservationNotice,
  notificationKinds,
  type NotificationKind,
  type OutboxMessage,
} from "./notifications/outbox";
export { dispatchNotifications, kickDispatch, MAX_ATTEMPTS, type DispatchReport } from "./notifications/dispatch";
export { templateInput } from "./notifications/template-input";
export { queueReminders } from "./notifications/reminders";
export { resendConfirmation, resendNotification, CUSTOMER_RESENDS_PER_HOUR } from "./notifications/resend";
export { sendEmail, emailFrom } from "./notifications/email";
