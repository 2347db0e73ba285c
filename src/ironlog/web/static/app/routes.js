// The router table: one screen per file under screens/.
import { Body } from "./screens/body.js";
import { Data } from "./screens/data.js";
import { ExerciseDetail } from "./screens/exercise.js";
import { ExerciseForm } from "./screens/exercise-form.js";
import { Exercises } from "./screens/exercises.js";
import { History } from "./screens/history.js";
import { Home } from "./screens/home.js";
import { Logger } from "./screens/logger.js";
import { Progress } from "./screens/progress.js";
import { ResetPassword } from "./screens/reset-password.js";
import { RoutineEditor } from "./screens/routine-editor.js";
import { Routines } from "./screens/routines.js";
import { Settings } from "./screens/settings.js";
import { SignIn, SignUp } from "./screens/signin.js";
import { Summary } from "./screens/summary.js";
import { Users } from "./screens/users.js";
import { WorkoutDetail } from "./screens/workout.js";

/** @typedef {{ path: string, screen: (props: any) => any, public?: boolean }} Route */

/** @type {Route[]} */
export const ROUTES = [
  { path: "/signin", screen: SignIn, public: true },
  { path: "/signup", screen: SignUp, public: true },
  { path: "/reset-password", screen: ResetPassword, public: true },
  { path: "/", screen: Home },
  { path: "/workout", screen: Logger },
  { path: "/summary/:id", screen: Summary },
  { path: "/history", screen: History },
  { path: "/history/:id", screen: WorkoutDetail },
  { path: "/exercises", screen: Exercises },
  { path: "/exercises/new", screen: ExerciseForm },
  { path: "/exercises/:id", screen: ExerciseDetail },
  { path: "/exercises/:id/edit", screen: ExerciseForm },
  { path: "/routines", screen: Routines },
  { path: "/routines/new", screen: RoutineEditor },
  { path: "/routines/:id", screen: RoutineEditor },
  { path: "/progress", screen: Progress },
  { path: "/body", screen: Body },
  { path: "/data", screen: Data },
  { path: "/settings", screen: Settings },
  { path: "/users", screen: Users },
];
