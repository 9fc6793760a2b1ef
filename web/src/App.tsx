// The route table. Pages live in pages/, one per file; this file only maps paths to them.
import { Route, Routes } from 'react-router';
import { AppShell } from './components/AppShell';
import { RequireAuth } from './components/RequireAuth';
import { Toasts } from './components/Toasts';
import { AccountPage } from './pages/AccountPage';
import { HomePage } from './pages/HomePage';
import { JoinPage } from './pages/JoinPage';
import { LoginPage } from './pages/LoginPage';
import { MeetingDetailPage } from './pages/MeetingDetailPage';
import { MeetingFormPage } from './pages/MeetingFormPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { RoomPage } from './pages/RoomPage';
import { PolicyPage } from './pages/PolicyPage';
import { UsersPage } from './pages/UsersPage';

export function App() {
  return (
    <>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route path="/j/:key" element={<JoinPage />} />
        <Route path="/m/:meetingId" element={<RoomPage />} />
        <Route
          element={
            <RequireAuth>
              <AppShell />
            </RequireAuth>
          }
        >
          <Route index element={<HomePage />} />
          <Route path="/meetings/new" element={<MeetingFormPage />} />
          <Route path="/meetings/:id" element={<MeetingDetailPage />} />
          <Route path="/meetings/:id/edit" element={<MeetingFormPage />} />
          <Route path="/account" element={<AccountPage />} />
          <Route path="/admin/users" element={<UsersPage />} />
          <Route path="/admin/policy" element={<PolicyPage />} />
        </Route>
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
      <Toasts />
    </>
  );
}
