import {
  Body,
  Button,
  Container,
  Head,
  Heading,
  Hr,
  Html,
  Link,
  Preview,
  Section,
  Text,
} from "@react-email/components";
import { Fragment, type CSSProperties } from "react";
import type { TemplateInput } from "../types";
import type { TemplateContext } from "./context";
import { common, type Block, type EmailContent } from "./content";

/** What every kind's email component takes: the dispatcher's input, nothing else. */
export type EmailProps = { input: TemplateInput };

/**
 * The shared frame of every email: business name header, greeting, the kind's content blocks, and a footer with
 * the site link. Inline styles only (mail clients ignore stylesheets); a Japanese-capable font stack first.
 */
export function EmailLayout({ ctx, content }: { ctx: TemplateContext; content: EmailContent }) {
  return (
    <Html lang={ctx.locale}>
      <Head>
        <meta name="color-scheme" content="light" />
      </Head>
      <Preview>{content.preview}</Preview>
      <Body style={styles.body}>
        <Container style={styles.container}>
          <Section style={styles.header}>
            <Text style={styles.brand}>{ctx.businessName}</Text>
          </Section>
          <Section style={styles.main}>
            {content.greeting ? <Text style={styles.paragraph}>{content.greeting}</Text> : null}
            <Heading as="h1" style={styles.heading}>
              {content.heading}
            </Heading>
            {content.blocks.map((block, index) => (
              <BlockView key={index} block={block} />
            ))}
          </Section>
          <Hr style={styles.rule} />
          <Section style={styles.footer}>
            <Text style={styles.footerText}>
              <Link href={ctx.input.links.site} style={styles.footerLink}>
                {ctx.businessName}
              </Link>
              {" · "}
              <Link href={ctx.input.links.site} style={styles.footerLink}>
                {ctx.input.links.site}
              </Link>
            </Text>
            <Text style={styles.footerText}>{common[ctx.locale].footer}</Text>
          </Section>
        </Container>
      </Body>
    </Html>
  );
}

function BlockView({ block }: { block: Block }) {
  switch (block.type) {
    case "paragraph":
      return <Text style={styles.paragraph}>{withLineBreaks(block.text)}</Text>;
    case "note":
      return <Text style={styles.note}>{block.text}</Text>;
    case "callout":
      return <Text style={styles.callout}>{block.text}</Text>;
    case "quote":
      return <Text style={styles.quote}>{block.text}</Text>;
    case "details":
      return (
        <table role="presentation" cellPadding={0} cellSpacing={0} style={styles.details}>
          <tbody>
            {block.rows.map((row) => (
              <tr key={row.label}>
                <th scope="row" style={styles.detailLabel}>
                  {row.label}
                </th>
                <td style={styles.detailValue}>{row.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      );
    case "action":
      return (
        <Section style={styles.action}>
          <Button href={block.url} style={styles.button}>
            {block.label}
          </Button>
          <Text style={styles.fallbackLink}>
            <Link href={block.url} style={styles.link}>
              {block.url}
            </Link>
          </Text>
        </Section>
      );
  }
}

/**
 * A paragraph's own line breaks (a staff member's message) as <br>: mail clients do not all honour CSS white-space,
 * and the text stays text, so React escapes whatever was typed.
 */
function withLineBreaks(text: string) {
  return text.split("\n").map((line, index) => (
    <Fragment key={index}>
      {index > 0 ? <br /> : null}
      {line}
    </Fragment>
  ));
}

const font =
  '-apple-system, BlinkMacSystemFont, "Hiragino Sans", "Hiragino Kaku Gothic ProN", "Yu Gothic", Meiryo, "Segoe UI", Roboto, sans-serif';

const styles = {
  body: { backgroundColor: "#f5f5f4", fontFamily: font, margin: 0, padding: "24px 0", color: "#1c1917" },
  container: { backgroundColor: "#ffffff", borderRadius: "8px", maxWidth: "560px", margin: "0 auto", padding: "0" },
  header: { borderBottom: "1px solid #e7e5e4", padding: "16px 28px" },
  brand: { fontSize: "16px", fontWeight: 700, margin: 0, color: "#1c1917" },
  main: { padding: "8px 28px 4px" },
  heading: { fontSize: "20px", lineHeight: "1.4", fontWeight: 700, margin: "12px 0 16px" },
  paragraph: { fontSize: "15px", lineHeight: "1.7", margin: "0 0 14px" },
  note: { fontSize: "13px", lineHeight: "1.7", color: "#57534e", margin: "0 0 12px" },
  callout: {
    fontSize: "15px",
    lineHeight: "1.7",
    margin: "0 0 16px",
    padding: "12px 14px",
    backgroundColor: "#fef3c7",
    borderLeft: "4px solid #d97706",
    borderRadius: "4px",
  },
  quote: {
    fontSize: "14px",
    lineHeight: "1.6",
    margin: "0 0 16px",
    padding: "12px 14px",
    backgroundColor: "#f5f5f4",
    whiteSpace: "pre-wrap",
    fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Courier New", monospace',
  },
  details: { width: "100%", borderCollapse: "collapse", margin: "4px 0 20px", fontSize: "14px" },
  detailLabel: {
    textAlign: "left",
    fontWeight: 600,
    color: "#57534e",
    padding: "8px 12px 8px 0",
    borderBottom: "1px solid #e7e5e4",
    verticalAlign: "top",
    whiteSpace: "nowrap",
    width: "1%",
  },
  detailValue: { padding: "8px 0", borderBottom: "1px solid #e7e5e4", verticalAlign: "top" },
  action: { margin: "4px 0 20px" },
  button: {
    backgroundColor: "#1c1917",
    color: "#ffffff",
    borderRadius: "6px",
    padding: "12px 20px",
    fontSize: "15px",
    fontWeight: 600,
    textDecoration: "none",
    display: "inline-block",
  },
  fallbackLink: { fontSize: "12px", lineHeight: "1.5", color: "#78716c", margin: "10px 0 0", wordBreak: "break-all" },
  link: { color: "#78716c" },
  rule: { borderColor: "#e7e5e4", margin: "8px 0 0" },
  footer: { padding: "12px 28px 20px" },
  footerText: { fontSize: "12px", lineHeight: "1.6", color: "#78716c", margin: "0 0 6px" },
  footerLink: { color: "#57534e" },
} satisfies Record<string, CSSProperties>;
