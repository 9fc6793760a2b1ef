// Entry point: mounts the app. Styles are imported here so Vite emits them as files
// (the CSP forbids inline styles).
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { App } from './App';
import './styles/base.css';
import './styles/components.css';
import './styles/pages.css';
import './styles/room.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html lacks #root');

createRoot(root).render(
  <StrictMode>
    <BrowserRouter>
      <App />
    </BrowserRouter>
  </StrictMode>,
);
