import { render } from 'preact';

render(<p>Tandem</p>, document.getElementById('app')!);
