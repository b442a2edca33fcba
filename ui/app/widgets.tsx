// Small pieces every page uses.
export function Loading() {
  return <p class="muted" role="status">Loading…</p>;
}

export function Failure(props: { message: string }) {
  return <p class="error" role="alert">{props.message}</p>;
}
