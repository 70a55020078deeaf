import Link from "next/link";

export default function NotFound() {
  return (
    <main className="mx-auto flex min-h-dvh max-w-xl flex-col items-center justify-center gap-4 px-6 text-center">
      <p className="text-sm font-semibold text-brand-600">404</p>
      <h1 className="text-2xl font-bold">ページが見つかりません / Page not found</h1>
      <Link href="/" className="text-brand-700 underline underline-offset-4">
        トップへ戻る / Back to the home page
      </Link>
    </main>
  );
}
