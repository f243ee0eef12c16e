export default function Page() {
  return <div className="page">unit-workbench</div>;
}
