/**
 * Stripe's test card numbers that the sandbox checkout understands, with the result each one gives on the real
 * API in test mode. Plain data (no server imports), so the sandbox page's client component can list them too.
 */
export type TestCardDecline = { code: string; declineCode: string | null; message: string; sellerMessage: string };

export type TestCard = { number: string; label: string; decline: TestCardDecline | null };

export const TEST_CARDS: readonly TestCard[] = [
  { number: "4242424242424242", label: "Succeeds", decline: null },
  {
    number: "4000000000000002",
    label: "Declined (generic decline)",
    decline: {
      code: "card_declined",
      declineCode: "generic_decline",
      message: "Your card was declined.",
      sellerMessage: "The bank did not return any further details with this decline.",
    },
  },
  {
    number: "4000000000009995",
    label: "Declined (insufficient funds)",
    decline: {
      code: "card_declined",
      declineCode: "insufficient_funds",
      message: "Your card has insufficient funds.",
      sellerMessage: "The bank returned the decline code `insufficient_funds`.",
    },
  },
  {
    number: "4000000000000069",
    label: "Declined (expired card)",
    decline: {
      code: "expired_card",
      declineCode: "expired_card",
      message: "Your card has expired.",
      sellerMessage: "The bank returned the decline code `expired_card`.",
    },
  },
];

/** Checkout refuses any other number before a payment is attempted, so no PaymentIntent or event results. */
export const INCORRECT_NUMBER = {
  code: "incorrect_number",
  declineCode: null,
  message: "Your card number is incorrect.",
} as const;

/** Spaces (and dashes) are ignored, as in Checkout's card field. */
export function normalizeCardNumber(input: string): string {
  return input.replace(/[\s-]/g, "");
}

export function findTestCard(input: string): TestCard | null {
  const number = normalizeCardNumber(input);
  return TEST_CARDS.find((card) => card.number === number) ?? null;
}
