// Shows the progress of a report upload. Without this script the form posts as usual.
document.querySelectorAll("form[data-upload]").forEach((form) => {
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
      // An error page: show its message in place, keep the form to try again.
      const page = new DOMParser().parseFromString(xhr.responseText, "text/html");
      const main = page.querySelector("main");
      if (main) document.querySelector("main").replaceWith(document.adoptNode(main));
      else window.location.reload();
    });
    xhr.addEventListener("error", () => {
      bar.value = 0;
      button.disabled = false;
      status.textContent = status.dataset.failed;
    });
    xhr.send(new FormData(form));
  });
});
