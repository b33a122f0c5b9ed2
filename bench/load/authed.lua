-- wrk script: every request carries the bearer token from env TOKEN
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
