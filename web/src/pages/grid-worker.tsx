export default function Page() {
  return <div className="page">grid-worker</div>;
}
