// The server's jobs (screens, sweeps, sessions, downloads): state, progress, and cancel
import type { Api } from "../api.ts";
import { h, messageOf, replace, table } from "../dom.ts";
import { type Job, progressText } from "../jobs.ts";

interface JobRow extends Job {
  by: string;
  createdAt: number;
}

const OPEN = new Set(["queued", "running"]);

export async function jobsCard(api: Api): Promise<HTMLElement> {
  const box = h("section", { class: "card", id: "jobs", "aria-label": "Jobs" });
  const load = async (): Promise<void> => {
    const jobs = await api.op<JobRow[]>("jobs_list");
    const status = h("p", { class: "status", role: "status" });
    replace(
      box,
      h("h2", {}, "Jobs"),
      jobs.length === 0
        ? h("p", {}, "No jobs yet.")
        : table(
            "The newest jobs",
            ["Job", "Kind", "By", "Started", "State", ""],
            jobs.slice(0, 20).map((j) => [
              j.id,
              j.kind,
              j.by,
              new Date(j.createdAt).toISOString().slice(0, 19).replace("T", " "),
              j.error === null ? progressText(j) : `${j.state}: ${j.error.message}`,
              OPEN.has(j.state) && api.has("jobs_cancel")
                ? h(
                    "button",
                    {
                      type: "button",
                      class: "small",
                      "aria-label": `Cancel ${j.id}`,
                      onclick: () => {
                        api.op("jobs_cancel", { id: j.id }).then(
                          () => void load(),
                          (e: unknown) => (status.textContent = messageOf(e)),
                        );
                      },
                    },
                    "Cancel",
                  )
                : "",
            ]),
          ),
      status,
    );
  };
  await load();
  return box;
}
