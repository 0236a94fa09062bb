// Shows the progress of a report upload. Without this script the form posts as usual.
function bindUploads(root) {
  root.querySelectorAll("form[data-upload]").forEach((form) => {
    const box = form.querySelector(".progress");
    const bar = box.querySelector("progress");
    const status = box.querySelector("[role=status]");
    const button = form.querySelector("button");
    form.addEventListener("submit", (event) => {
      if (!form.reportValidity()) return;
      event.preventDefault();
      const xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      box.hidden = false;
      button.disabled = true;
      xhr.upload.addEventListener("progress", (e) => {
        if (!e.lengthComputable) return;
        const percent = Math.floor((e.loaded / e.total) * 100);
        bar.value = percent;
        status.textContent = `${status.dataset.uploading} ${percent}%`;
      });
      xhr.upload.addEventListener("load", () => {
        bar.removeAttribute("value"); // indeterminate while the server reads the report
        status.textContent = status.dataset.processing;
      });
      xhr.addEventListener("load", () => {
        if (xhr.status < 400 && xhr.responseURL) {
          window.location.assign(xhr.responseURL);
          return;
        }
        // An error page: show its message in place, with a fresh form to try again, and
        // take the keyboard to the message (the button it was on is gone).
        const page = new DOMParser().parseFromString(xhr.responseText, "text/html");
        const main = page.querySelector("main");
        if (!main) {
          window.location.reload();
          return;
        }
        const adopted = document.adoptNode(main);
        document.querySelector("main").replaceWith(adopted);
        bindUploads(adopted);
        const error = adopted.querySelector("[role=alert]");
        if (error) {
          error.tabIndex = -1;
          error.focus();
        }
      });
      xhr.addEventListener("error", () => {
        bar.value = 0;
        button.disabled = false;
        status.textContent = status.dataset.failed;
      });
      xhr.send(new FormData(form));
    });
  });
}
bindUploads(document);
