export function ErrorNote({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <p class="note note-error" role="alert" data-testid="error">
      {message}
    </p>
  );
}
