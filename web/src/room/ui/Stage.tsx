// The centre of the room, where shared content will appear. Empty for now.
import { Icon } from '../../components/Icon';

export function Stage() {
  return (
    <section className="stage" aria-label="Stage">
      <div className="empty-state">
        <Icon name="stage" size={40} />
        <h2>Nothing is being shared</h2>
        <p className="muted">When a presenter shares content, it appears here.</p>
      </div>
    </section>
  );
}
