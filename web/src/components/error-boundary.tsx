import { Component, type ReactNode } from 'react';

/** A page that throws shows its error instead of a blank screen. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  override render() {
    if (this.state.error) {
      return (
        <div className="page narrow" role="alert">
          <h1>出错了 · Something went wrong</h1>
          <pre>{this.state.error.message}</pre>
          <button type="button" onClick={() => location.reload()}>重新加载 · Reload</button>
        </div>
      );
    }
    return this.props.children;
  }
}
