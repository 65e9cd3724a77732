/**
 * A year slider with a play button: steps through the years (one per `stepMs`, never faster than
 * the data arrives), wrapping at the end; pauses on any other choice. Keyboard: the slider's
 * arrows, Space/Enter on the button.
 */
import { h, nextId } from '../dom';
import { defineStrings, onLangChange } from '../i18n';

const tr = defineStrings(
  'year-player',
  { label: 'Year', play: 'Play the years', pause: 'Pause' },
  { label: 'Ano', play: 'Passar os anos', pause: 'Pausar' },
);

export class YearPlayer {
  readonly el = h('div', { class: 'year-player', 'data-testid': 'year-player' });
  private timer: number | undefined;
  private playing = false;

  constructor(
    private years: number[],
    private year: number,
    /** sets the year and resolves when its data is on screen */
    private readonly choose: (year: number) => Promise<void>,
    private readonly stepMs = 1500,
  ) {
    onLangChange(() => this.render());
    this.render();
  }

  setYear(year: number): void {
    this.year = year;
    const input = this.el.querySelector('input');
    if (input) {
      input.value = String(this.years.indexOf(year));
      input.setAttribute('aria-valuetext', String(year));
    }
    const out = this.el.querySelector('output');
    if (out) out.textContent = String(year);
  }

  stop(): void {
    this.playing = false;
    window.clearTimeout(this.timer);
    this.render();
  }

  private async tick(): Promise<void> {
    if (!this.playing) return;
    const i = this.years.indexOf(this.year);
    const next = this.years[(i + 1) % this.years.length]!;
    const t0 = performance.now();
    await this.choose(next);
    this.setYear(next);
    if (this.playing) this.timer = window.setTimeout(() => void this.tick(), Math.max(0, this.stepMs - (performance.now() - t0)));
  }

  private render(): void {
    const id = nextId('year-slider');
    const out = h('output', { for: id, class: 'date-out' }, String(this.year));
    const slider = h('input', {
      id, type: 'range', min: 0, max: this.years.length - 1, step: 1, value: this.years.indexOf(this.year), 'data-control': 'year-slider', 'aria-valuetext': String(this.year),
      oninput: (e) => {
        const y = this.years[Number((e.target as HTMLInputElement).value)]!;
        out.textContent = String(y);
        (e.target as HTMLInputElement).setAttribute('aria-valuetext', String(y));
      },
      onchange: (e) => {
        this.playing = false;
        window.clearTimeout(this.timer);
        const y = this.years[Number((e.target as HTMLInputElement).value)]!;
        this.year = y;
        void this.choose(y);
        this.renderButton();
      },
    });
    this.el.replaceChildren(
      h('div', { class: 'field' }, h('label', { for: id }, tr('label'), ' ', out), slider,
        h('div', { class: 'range-ends', 'aria-hidden': 'true' }, h('span', {}, String(this.years[0] ?? '')), h('span', {}, String(this.years[this.years.length - 1] ?? '')))),
      h('button', { type: 'button', class: 'btn btn-small play-btn', 'data-control': 'play', 'aria-pressed': String(this.playing) }),
    );
    this.renderButton();
  }

  private renderButton(): void {
    const b = this.el.querySelector<HTMLButtonElement>('.play-btn');
    if (!b) return;
    b.textContent = this.playing ? `⏸ ${tr('pause')}` : `▶ ${tr('play')}`;
    b.setAttribute('aria-pressed', String(this.playing));
    b.onclick = () => {
      this.playing = !this.playing;
      this.renderButton();
      if (this.playing) void this.tick();
      else window.clearTimeout(this.timer);
    };
  }
}
