export default function Page() {
  return <div className="page">kpis</div>;
}
